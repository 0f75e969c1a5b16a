"""The real pipeline (``clickstream-local run``): batching and rebuilds do not change the tables.

Four runs in all (each costs ~20-25 s of start-up), so one test: the same landing files in one run
(names sorting against their modification times, so read order cannot decide), and in two runs
(the second brings a backfill with a 30-day-old modification time) followed by a full refresh.
The plain-session tests in test_batching.py cover the cases one by one.
"""

from __future__ import annotations

from datetime import timedelta

from e2e_scenario import Snapshot
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual
from test_batching import EXPECTED_SURVIVORS, FILES, land_lines

from clickstream.contract import (
    BRONZE_EVENTS,
    GOLD_DAILY_METRICS,
    GOLD_QUALITY_DAILY,
    INGESTED_AT,
    SILVER_EVENTS,
    SOURCE_FILE,
)
from clickstream_cli import local


def run(landing, home, *flags: str) -> None:
    code = local.main(["run", "--landing", str(landing), "--home", str(home), *flags])
    assert code == 0


def kept(snap: Snapshot) -> set[tuple]:
    silver = snap.table(SILVER_EVENTS).select(
        "event_id", F.regexp_extract(SOURCE_FILE, r"[^/]+$", 0), "event_name"
    )
    return {tuple(r) for r in silver.collect() if r[0] != "m7"}


def test_runs_and_a_full_refresh_give_the_tables_one_run_gives(spark, tmp_path):
    names = sorted(FILES)
    together, apart = tmp_path / "together", tmp_path / "apart"
    for root in (together, apart):
        (root / "landing").mkdir(parents=True)
    for age, name in enumerate(names):
        land_lines(together / "landing", name, FILES[name], age=timedelta(minutes=age))
    run(together / "landing", together / "home")

    for name in names[:2]:
        land_lines(apart / "landing", name, FILES[name])
    run(apart / "landing", apart / "home")
    for name in names[2:]:
        land_lines(apart / "landing", name, FILES[name], age=timedelta(days=30))
    run(apart / "landing", apart / "home")
    bronze = Snapshot(spark, apart / "home").table(BRONZE_EVENTS)
    arrivals = set(bronze.select(INGESTED_AT).collect())
    run(apart / "landing", apart / "home", "--full-refresh")

    one, rebuilt = Snapshot(spark, together / "home"), Snapshot(spark, apart / "home")
    assert kept(one) == kept(rebuilt) == EXPECTED_SURVIVORS
    assert set(rebuilt.table(BRONZE_EVENTS).select(INGESTED_AT).collect()) == arrivals
    assertDataFrameEqual(rebuilt.table(GOLD_DAILY_METRICS), one.table(GOLD_DAILY_METRICS))
    quality = rebuilt.table(GOLD_QUALITY_DAILY).groupBy("rule").agg(F.sum("rows").alias("rows"))
    expected = one.table(GOLD_QUALITY_DAILY).groupBy("rule").agg(F.sum("rows").alias("rows"))
    assertDataFrameEqual(quality, expected)
    assert rebuilt.table(GOLD_QUALITY_DAILY).where("rows < 0").count() == 0
