"""``clickstream-local forget``: erase a person from the landing files and every table of a HOME.

Per request, in this order (each step is safe to repeat, so a killed ``forget`` is completed by
the next one, which first finishes every request left in the journal):

1. journal the request (:mod:`clickstream_cli.erasure_log`): pipeline hashes only;
2. expand it to what the pipeline links to the person (:func:`clickstream.erasure.expand`) and
   keep the result in the journal;
3. find the clear values still present in raw data; redact them, and the hashes, from the side
   files under HOME (logs, reports, state);
4. rewrite the landing files without the person's lines;
5. delete the person's rows from every table, data file by data file
   (:mod:`clickstream_cli.table_rewrite`): raw tables by clear values, Silver and Gold by hashes,
   the quality ledger by the event ids of their raw and Silver rows. Aggregate tables (daily
   metrics, data quality) hold no person's row; the next ``run`` recomputes them, and forget
   makes sure that run is not skipped as "up to date";
6. verify: nothing of the person is left anywhere; only then write the erasure log line and close
   the journal entry.

Tables are read and rewritten by path (no metastore), with Spark, so the files stay those the
pipeline writes. Nothing printed holds a clear identifier or a hash.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from clickstream_cli.erasure_log import ErasureRecord, JournalEntry, Request
from clickstream_cli.forget_requests import ForgetError, RequestError
from clickstream_cli.forget_tables import Table, discover_tables
from clickstream_cli.local_home import LocalHome

LANDING = "landing lines"
# -- one erasure ----------------------------------------------------------------------------


def _line_frames(spark, landing: Path):
    """Landing lines (``value``, file, row number) and the same lines parsed as Bronze rows,
    whose ``_ingested_at`` carries the row number (to find a matched row's text again)."""
    import pyspark.sql.functions as F

    from clickstream.bronze_events import LOCAL_FILE_FAULT_OPTIONS, parse_raw_lines
    from clickstream.contract import INGESTED_AT, SOURCE_FILE
    from clickstream_cli.file_faults import landing_files

    if next(landing_files(landing), None) is None:
        return None
    # A file scan numbers its rows the same way every time it runs (partition, position).
    lines = (
        spark.read.format("text")
        .option("recursiveFileLookup", "true")
        .options(**LOCAL_FILE_FAULT_OPTIONS)
        .load(landing.as_uri())
        .select(
            "value",
            F.col("_metadata.file_path").alias(SOURCE_FILE),
            F.monotonically_increasing_id().alias("_row"),
        )
    )
    parsed = parse_raw_lines(
        lines.select("value", SOURCE_FILE, F.timestamp_micros("_row").alias(INGESTED_AT))
    )
    return lines, parsed


class Erasure:
    """Carries out journal entries against one HOME and its landing folder."""

    def __init__(self, spark, home: LocalHome, landing: Path, pii_key: str) -> None:
        self.spark, self.home, self.landing, self.key = spark, home, landing, pii_key
        self.record = ErasureRecord(home)
        self.tables = discover_tables(spark, home)
        self.work = self.record.folder / "rewrite"

    def settle(self) -> None:
        """Repair what a killed rewrite can leave: a stale checksum or sink-log size."""
        from clickstream_cli.forget_files import settle_table

        for table in self.tables:
            settle_table(table.folder)

    # -- frames and predicates
    def frame(self, table: Table):
        return self.spark.read.parquet(table.folder.as_uri())

    def raw_rows(self):
        """Every raw row: the raw tables and the landing lines, as Bronze columns."""
        from functools import reduce

        from clickstream.schema import BRONZE_SCHEMA

        columns = BRONZE_SCHEMA.fieldNames()
        frames = [self.frame(t).select(*columns) for t in self.tables if t.kind == "raw"]
        landing = _line_frames(self.spark, self.landing)
        if landing is not None:
            frames.append(landing[1].select(*columns))
        if not frames:
            return None
        return reduce(lambda a, b: a.unionByName(b), frames)

    def match(self, table: Table, subject, clear, event_ids):
        from clickstream import erasure

        if table.kind == "raw":
            return erasure.raw_match(clear)
        if table.kind == "silver":
            return erasure.silver_match(subject, event_ids)
        if table.kind == "sessions":
            return erasure.sessions_match(subject)
        if table.kind == "dim_users":
            return erasure.dim_users_match(subject)
        if table.kind == "ledger":
            return erasure.ledger_match(event_ids)
        return erasure.keyed_match(subject, table.columns)

    # -- steps
    def expand(self, entry: JournalEntry) -> None:
        from clickstream import erasure

        subject = erasure.Subject.from_dict(entry.given)
        for table in self.tables:
            if table.kind == "silver":
                subject = erasure.expand(self.frame(table), subject)
        raw = self.raw_rows()
        event_ids: frozenset[str] = frozenset()
        if raw is not None:
            users = erasure.clear_values(raw, subject, self.key).user_ids
            emails = erasure.raw_trait_emails(raw, users)
            subject = subject.union(erasure.subject_of(self.spark, self.key, emails=emails))
            event_ids = erasure.raw_event_ids(raw, erasure.clear_values(raw, subject, self.key))
        for table in self.tables:
            if table.kind == "silver":  # events whose raw rows retention already deleted
                event_ids |= erasure.silver_event_ids(self.frame(table), subject, event_ids)
        entry.expanded = subject.as_dict()
        entry.event_ids = sorted(event_ids)
        self.record.save(entry)

    def clear_values(self, subject):
        from clickstream import erasure

        raw = self.raw_rows()
        return (
            erasure.ClearValues() if raw is None else erasure.clear_values(raw, subject, self.key)
        )

    def landing_hits(self, clear) -> dict[Path, set[str]]:
        from clickstream.bronze_events import LOCAL_FILE_FAULT_OPTIONS
        from clickstream.landing_erasure import lines_to_drop
        from clickstream_cli.file_faults import landing_files
        from clickstream_cli.table_rewrite import local_path

        files = [p.as_uri() for p in landing_files(self.landing)]
        hits = lines_to_drop(self.spark, files, clear, LOCAL_FILE_FAULT_OPTIONS)
        return {local_path(file): lines for file, lines in hits.items()}

    def delete_rows(self, table: Table, match) -> int:
        """Rewrite each data file of ``table`` that holds matching rows, without them."""
        from clickstream_cli.table_rewrite import (
            TableRewriteError,
            data_files_holding,
            rewrite_without,
        )

        files = data_files_holding(self.frame(table), match)
        try:
            return rewrite_without(self.spark, files, match, self.work)
        except TableRewriteError as error:
            raise ForgetError(f"{table.name}: {error}") from None

    def remaining(self, subject, clear, event_ids, needles) -> dict[str, int]:
        """What is left of the person, per place (all zero when the erasure is complete)."""
        from clickstream import erasure
        from clickstream_cli.forget_files import files_holding

        left = {}
        frames = _line_frames(self.spark, self.landing)
        if frames is not None and not clear.is_empty():
            left[LANDING] = frames[1].where(erasure.raw_match(clear)).count()
        for table in self.tables:
            left[table.name] = (
                self.frame(table).where(self.match(table, subject, clear, event_ids)).count()
            )
        left["other files under HOME"] = len(files_holding(self.home.root, needles))
        return left

    def carry_out(self, entry: JournalEntry, report: Callable[[str], None]) -> dict:
        from clickstream import erasure
        from clickstream_cli.forget_files import rewrite_landing_file, scrub_side_files
        from clickstream_cli.run_state import RunState

        if entry.expanded is None:
            self.expand(entry)
        assert entry.expanded is not None
        subject = erasure.Subject.from_dict(entry.expanded)
        event_ids = frozenset(entry.event_ids)
        clear = self.clear_values(subject)
        needles = clear.user_ids | clear.anonymous_ids | clear.emails | subject.hashes()

        scrubbed = scrub_side_files(self.home.root, needles)
        entry.removed["other files under HOME"] = entry.removed.get(
            "other files under HOME", 0
        ) + len(scrubbed)
        self.record.save(entry)
        for path, lines in sorted(self.landing_hits(clear).items()):
            entry.removed[LANDING] = entry.removed.get(LANDING, 0) + rewrite_landing_file(
                path, lines
            )
            self.record.save(entry)
        for table in self.tables:
            removed = self.delete_rows(table, self.match(table, subject, clear, event_ids))
            entry.removed[table.name] = entry.removed.get(table.name, 0) + removed
            self.record.save(entry)

        left = {k: v for k, v in self.remaining(subject, clear, event_ids, needles).items() if v}
        if left:
            raise ForgetError(
                f"request {entry.request_id}: verification found the person still in "
                f"{', '.join(sorted(left))}; it stays pending, run forget again"
            )
        if any(entry.removed.values()):
            RunState(self.home.root).forget()  # the next run recomputes Gold's aggregates
        linked = {
            "user_ids": len(subject.user_keys),
            "anonymous_ids": len(subject.anonymous_keys),
            "emails": len(subject.email_hashes),
        }
        line = self.record.complete(entry, linked)
        report(summary_line(line))
        return line


def summary_line(line: dict) -> str:
    removed = ", ".join(f"{k} {v:,}" for k, v in line["removed"].items() if v) or "nothing"
    return f"request {line['request_id']}: {line['status']}; removed: {removed}"


def pii_key() -> str:
    """The key local runs hash with (``clickstream-local run`` reads the same variable)."""
    from clickstream.runtime import DEVELOPMENT_PII_KEY

    return os.environ.get("CLICKSTREAM_PII_KEY") or DEVELOPMENT_PII_KEY


def forget(
    home_root: Path, landing: Path, requests: list[Request], console: Console | None = None
) -> list[dict]:
    """Journal ``requests``, then carry out every open journal entry; return the log lines."""
    from pyspark.sql import SparkSession

    from clickstream import erasure
    from clickstream_cli.local_show import open_session

    console = console or Console(stderr=True)
    home = LocalHome(home_root.expanduser().resolve())
    landing = landing.expanduser().resolve()
    if not landing.is_dir():
        raise RequestError(f"landing folder {landing} does not exist (or is not a folder)")
    record = ErasureRecord(home)
    try:
        record.key()
    except ValueError as error:
        raise RequestError(str(error)) from None
    existing = SparkSession.getActiveSession()
    spark = open_session(home, hive=False)
    try:
        key = pii_key()
        for request in requests:
            given = erasure.subject_of(spark, key, **request.identifiers())
            record.begin(request, given.as_dict())
        work = Erasure(spark, home, landing, key)
        work.settle()
        entries = record.open_entries()
        if not entries:
            raise RequestError(
                "nothing to forget: give --user-id, --anonymous-id, --email or --requests"
            )
        lines = []
        for entry in entries:
            with console.status(f"Erasing request {entry.request_id}…"):
                lines.append(
                    work.carry_out(entry, lambda text: console.print(text, highlight=False))
                )
        return lines
    finally:
        shutil.rmtree(record.folder / "rewrite", ignore_errors=True)
        if existing is None:
            spark.stop()
