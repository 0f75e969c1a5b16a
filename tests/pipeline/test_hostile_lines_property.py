"""Property: whatever lines land, each ends in exactly one of Silver or the quarantine, and no
Spark job raises: the real ingest (parse + rules), Silver and Gold functions, with the pipeline's
Spark settings.

One example is a batch of hostile lines (``hostile_lines``), so each example costs a few Spark
jobs; the example count stays small (``hypothesis_profiles``: more in the ``ci-deep``
profile) and hypothesis varies the batches.
"""

from __future__ import annotations

from datetime import date, timedelta

from hostile_lines import INGESTED_AT, hostile_lines
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_profiles import spark_property

from clickstream.bronze_events import ingest_lines
from clickstream.contract import INGESTED_AT as INGESTED_AT_COLUMN
from clickstream.contract import SOURCE_FILE
from clickstream.gold_daily_metrics import build_daily_metrics
from clickstream.gold_dim_users import build_dim_users
from clickstream.gold_sessions import build_sessions
from clickstream.silver_events import quarantine_rows, to_silver_columns, valid_rows

KEY = "test-pii-key-for-property-tests"
BATCHES = spark_property()


def _ingest(spark, lines: list[str]):
    frame = spark.createDataFrame(
        [(line, f"line-{i}", INGESTED_AT) for i, line in enumerate(lines)],
        f"value string, {SOURCE_FILE} string, {INGESTED_AT_COLUMN} timestamp",
    )
    return ingest_lines(frame)


def _files(frame) -> list[str]:
    return [row[SOURCE_FILE] for row in frame.collect()]


@BATCHES
@given(lines=st.lists(hostile_lines(), min_size=1, max_size=30))
def test_every_hostile_line_ends_in_silver_or_the_quarantine_exactly_once(spark, lines):
    bronze = _ingest(spark, lines).cache()
    try:
        silver = _files(to_silver_columns(valid_rows(bronze), KEY))  # every column computed
        quarantined = _files(quarantine_rows(bronze))
    finally:
        bronze.unpersist()

    assert sorted(silver + quarantined) == sorted(f"line-{i}" for i in range(len(lines)))


@BATCHES
@given(lines=st.lists(hostile_lines(), min_size=1, max_size=30))
def test_gold_over_hostile_lines_holds_no_day_outside_the_plausible_range(spark, lines):
    # Silver's dedupe runs on streams only; one row per event_id, as it leaves them.
    rows = to_silver_columns(valid_rows(_ingest(spark, lines)), KEY)
    silver = rows.dropDuplicates(["event_id"]).cache()
    try:
        build_sessions(silver).collect()  # sessionizing hostile rows never raises
        days = [r.event_date for r in build_daily_metrics(silver).collect()]
        build_dim_users(silver).collect()
    finally:
        silver.unpersist()

    tomorrow = INGESTED_AT.date() + timedelta(days=1)
    assert all(date(2000, 1, 1) <= day <= tomorrow for day in days)
