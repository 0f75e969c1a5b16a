"""End to end: ``clickstream-local run`` applies the raw retention limit to a HOME.

Two runs a few seconds apart ingest two batches (the first batch's files last modified ten days
ago, which the default limit of 30 days keeps). Then the clock moves on by one day and
``run --raw-retention-days 1`` finds the first run's raw rows and the old files past the limit:
the first pass is killed half-way (just after a data file took its rewritten content, before its
checksum was written), the next ``run`` completes it, and a forced ``run`` recomputes Gold.
Nobody sleeps: the clock of the retention step is moved, not the machine's.
"""

from __future__ import annotations

import contextlib
import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from e2e_scenario import GOLD_TABLES, Snapshot, frozen, generate, run
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from clickstream.contract import (
    BRONZE_EVENTS,
    GOLD_QUALITY_DAILY,
    GOLD_QUALITY_LEDGER,
    INGESTED_AT,
    SILVER_EVENTS,
    SILVER_QUARANTINE,
)
from clickstream_cli import forget_files, local, local_retention
from clickstream_cli.file_faults import landing_files

pytestmark = pytest.mark.e2e
KEPT = (SILVER_EVENTS, *GOLD_TABLES, GOLD_QUALITY_DAILY)
TEN_DAYS = 10 * 24 * 3600


def _age(paths, seconds: float) -> None:
    for path in paths:
        stat = path.stat()
        os.utime(path, (stat.st_atime - seconds, stat.st_mtime - seconds))


@pytest.fixture(scope="module")
def pruned(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("retention")
    landing, home = root / "landing", root / "home"
    generate(landing / "day-1", root / "manifest-1.json", events=400, seed=21)
    old_files = list(landing_files(landing))
    _age(old_files, TEN_DAYS)
    outputs = [run(landing, home)]  # the default limit (30 days) keeps ten-day-old files
    between = datetime.now(UTC)  # after every arrival of run 1, before any of run 2
    generate(landing / "day-2", root / "manifest-2.json", events=300, seed=22)
    new_files = list(landing_files(landing / "day-2"))
    outputs.append(run(landing, home))
    snap = Snapshot(spark, home)
    names = (BRONZE_EVENTS, SILVER_QUARANTINE, GOLD_QUALITY_LEDGER, *KEPT)
    before = {name: frozen(snap.table(name)) for name in names}

    # A day later, by the retention step's clock: the first run's raw data is past one day.
    mp = pytest.MonkeyPatch()
    mp.setattr(local_retention, "now", lambda: between + timedelta(days=1))
    calls = []

    def killed(path):
        calls.append(path)
        raise KeyboardInterrupt  # the process dies here: data file replaced, checksum stale

    mp.setattr(forget_files, "write_checksum", killed)
    args = ["run", "--landing", str(landing), "--home", str(home), "--raw-retention-days", "1"]
    assert local.main(args) == 130
    mp.undo()
    mp.setattr(local_retention, "now", lambda: between + timedelta(days=1))
    outputs.append(run_with(args))
    mp.undo()
    outputs.append(run_with(["run", "--landing", str(landing), "--home", str(home), "--force"]))
    yield {
        "snap": snap,
        "before": before,
        "between": between,
        "old_files": old_files,
        "new_files": new_files,
        "killed_at": calls,
        "outputs": outputs,
    }


def run_with(args: list[str]) -> str:
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        code = local.main(args)
    assert code == 0, printed.getvalue()[-3000:]
    return printed.getvalue()


def test_the_first_pass_was_killed_after_replacing_a_data_file(pruned):
    (path,) = pruned["killed_at"]
    assert path.suffix == ".parquet"
    assert path.parent.name in (BRONZE_EVENTS, SILVER_QUARANTINE)


def test_raw_rows_older_than_the_limit_are_gone_and_no_other_row_comes_back(pruned):
    """Read after one more run: the streams did not read a rewritten file again."""
    for name in (BRONZE_EVENTS, SILVER_QUARANTINE):
        before = pruned["before"][name]
        kept = before.where(F.col(INGESTED_AT) >= F.lit(pruned["between"]))
        assertDataFrameEqual(pruned["snap"].table(name), kept)


def test_both_runs_left_raw_rows_so_the_limit_fell_between_them(pruned):
    bronze = pruned["before"][BRONZE_EVENTS]
    old = bronze.where(F.col(INGESTED_AT) < F.lit(pruned["between"])).count()
    assert 0 < old < bronze.count()


def test_landing_files_older_than_the_limit_are_gone_and_no_other(pruned):
    assert pruned["old_files"] and not any(p.exists() for p in pruned["old_files"])
    assert all(p.exists() for p in pruned["new_files"])


def test_silver_and_gold_keep_every_row(pruned):
    for name in KEPT:
        assertDataFrameEqual(pruned["snap"].table(name), pruned["before"][name])


def test_the_quality_ledger_keeps_a_row_for_every_row_bronze_ever_received(pruned):
    ledger = pruned["snap"].table(GOLD_QUALITY_LEDGER)
    assert ledger.count() == pruned["before"][BRONZE_EVENTS].count()
    assertDataFrameEqual(ledger, pruned["before"][GOLD_QUALITY_LEDGER])


def test_the_run_prints_what_retention_deleted(pruned):
    """The resumed pass prints what it deleted itself: the killed one had already rewritten
    Bronze's only file of the first run."""
    printed = pruned["outputs"][2]
    assert "Raw retention (1 day): deleted what arrived before" in printed
    for what in (f"{SILVER_QUARANTINE} rows", "landing files"):
        assert what in printed
    assert "Raw retention (30 days): nothing ingested before" in pruned["outputs"][0]
