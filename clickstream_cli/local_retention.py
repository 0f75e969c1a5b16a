"""Raw-data retention for local runs: raw data is kept at most ``--raw-retention-days``.

The local half of the stack setting ``rawRetentionDays`` (same name, same default). After a
completed pipeline update (or when the HOME is up to date since one), ``clickstream-local run``
deletes

- landing files whose last modification is older than the limit, as the ADLS lifecycle rule of
  ``infra/retention.py`` does with landing blobs;
- raw rows (``bronze_events``, ``silver_quarantine``) whose ``_ingested_at`` is older than the
  limit, as ``pipeline/clickstream/retention.py`` does on Databricks.

Only after a completed update, so every raw row it deletes has been through Silver and the
quality ledger (``gold_quality_ledger``): Silver and Gold keep their rows, and
``gold_quality_daily`` keeps the counts of the days whose raw rows are gone.

Tables are rewritten data file by data file (:mod:`clickstream_cli.table_rewrite`, shared with
``forget``): each file keeps its path and modification time, so the streams that read Bronze
(Silver, the quarantine, the ledger) never read it again. Killed half-way, the next run settles
what the kill left (a stale checksum or sink-log size) and deletes what is still to go; every
rewritten file holds exactly the rows it held that are not past the limit.

The check costs no JVM: file times for landing, one column per data file (pyarrow) for tables;
Spark starts only when a table holds rows to delete.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from clickstream.contract import INGESTED_AT, RAW_TABLES
from clickstream_cli.file_faults import landing_files
from clickstream_cli.forget_files import settle_table
from clickstream_cli.local_home import LocalHome

# The stack setting `rawRetentionDays`' default (Pulumi.yaml): raw events hold clear-text PII.
DEFAULT_RAW_RETENTION_DAYS = 30
LANDING = "landing files"


def positive_days(text: str) -> int:
    """``--raw-retention-days``: a positive whole number of days."""
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"must be a positive whole number of days, got {text!r}")
    return int(text)


def now() -> datetime:
    return datetime.now(UTC)


def cutoff(days: int, at: datetime | None = None) -> datetime:
    """The instant before which raw data is past the limit at ``at`` (default now), in UTC."""
    return (at or now()).astimezone(UTC) - timedelta(days=days)


def expired_landing_files(landing: Path, before: datetime) -> list[Path]:
    """Landing files (those Spark reads) last modified before ``before``."""
    limit = before.timestamp()
    return [p for p in landing_files(landing) if p.stat().st_mtime < limit]


def _data_files(table: Path) -> Iterable[Path]:
    return sorted(table.glob("*.parquet"))


def holds_expired_rows(table: Path, before: datetime) -> bool:
    """Whether a data file of the table (a warehouse folder) holds a row ingested before
    ``before``: reads the ``_ingested_at`` column of each file, no JVM."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    # Spark writes INT96 timestamps by default: instants, read back as naive UTC.
    limit = before.astimezone(UTC).replace(tzinfo=None)
    for data_file in _data_files(table):
        column = pq.read_table(data_file, columns=[INGESTED_AT]).column(INGESTED_AT)
        oldest = pc.min(column).as_py()
        if oldest is not None and oldest.replace(tzinfo=None) < limit:
            return True
    return False


@dataclass
class Pruned:
    """What one retention pass deleted: landing files, and rows per raw table."""

    before: datetime
    counts: dict[str, int] = field(default_factory=dict)

    def total(self) -> int:
        return sum(self.counts.values())


class Retention:
    """Applies the limit to one HOME and its landing folder."""

    def __init__(self, home: LocalHome, landing: Path, days: int) -> None:
        self.home, self.landing, self.days = home, landing, days
        # Its presence means a pass was under way: the next one settles the tables first.
        self.work = home.root / "state" / "retention" / "rewrite"

    def tables(self) -> list[tuple[str, Path]]:
        folders = [(name, self.home.warehouse / name) for name in RAW_TABLES]
        return [(name, folder) for name, folder in folders if any(_data_files(folder))]

    def apply(self, at: datetime | None = None) -> Pruned:
        before = cutoff(self.days, at)
        pruned = Pruned(before)
        if self.work.exists():  # killed half-way: repair what the kill may have left
            for _name, folder in self.tables():
                settle_table(folder)
        expired = [(n, f) for n, f in self.tables() if holds_expired_rows(f, before)]
        if expired:
            self.work.mkdir(parents=True, exist_ok=True)
            pruned.counts.update(self._prune_tables(expired, before))
        files = expired_landing_files(self.landing, before)
        for path in files:
            path.unlink(missing_ok=True)
        pruned.counts[LANDING] = len(files)
        shutil.rmtree(self.work, ignore_errors=True)
        return pruned

    def _prune_tables(self, tables: list[tuple[str, Path]], before: datetime) -> dict[str, int]:
        import pyspark.sql.functions as F
        from pyspark.sql import SparkSession

        from clickstream_cli.local_show import open_session
        from clickstream_cli.table_rewrite import data_files_holding, rewrite_without

        existing = SparkSession.getActiveSession()
        spark = open_session(self.home, hive=False)
        try:
            past = F.col(INGESTED_AT) < F.lit(before)
            counts = {}
            for name, folder in tables:
                files = data_files_holding(spark.read.parquet(folder.as_uri()), past)
                counts[name] = rewrite_without(spark, files, past, self.work)
            return counts
        finally:
            if existing is None:
                spark.stop()


def apply_retention(
    home_root: Path,
    landing: Path,
    days: int,
    console: Console | None = None,
    at: datetime | None = None,
) -> Pruned:
    """Delete the raw data of a HOME older than ``days``; print what went."""
    console = console or Console(stderr=True)
    home = LocalHome(home_root.expanduser().resolve())
    retention = Retention(home, landing.expanduser().resolve(), days)
    with console.status(f"Raw retention: deleting raw data older than {days} days…"):
        pruned = retention.apply(at)
    when = f"{pruned.before:%Y-%m-%d %H:%M} UTC"
    limit = f"Raw retention ({days} day{'' if days == 1 else 's'})"
    if not pruned.total():
        console.print(f"{limit}: nothing ingested before {when}")
        return pruned
    console.print(f"{limit}: deleted what arrived before {when}")
    table = Table()
    table.add_column("raw data")
    table.add_column("deleted", justify="right")
    for name, count in pruned.counts.items():
        table.add_row(name if name == LANDING else f"{name} rows", f"{count:,}")
    console.print(table)
    return pruned
