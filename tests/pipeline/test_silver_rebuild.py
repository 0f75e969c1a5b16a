"""A full rebuild of Silver over a Bronze history longer than the dedupe horizon keeps every row.

``dropDuplicatesWithinWatermark`` drops rows older than the watermark. Rebuilding Silver replays
the whole history: if an old row arrives in a later micro-batch than a newer one, the watermark
has already passed it. Locally the pipeline's reader (``read_with_ingest_watermark``) replays
the history in one micro-batch, so nothing falls behind; on Databricks ``withEventTimeOrder``
orders the Delta snapshot by event time (pinned in test_databricks_graph).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from clickstream.contract import INGESTED_AT
from clickstream.rules import check_rules
from clickstream.runtime import Runtime
from clickstream.schema import BRONZE_SCHEMA
from clickstream.silver_events import build_silver_events, read_with_ingest_watermark

KEY = "test-pii-key-for-unit-tests"
HORIZON = "3 days"
NEW = datetime(2024, 5, 20, tzinfo=UTC)
OLD = NEW - timedelta(days=10)  # further back than the horizon


def bronze_row(message_id: str, ingested: datetime) -> tuple:
    fields = {
        "messageId": message_id, "type": "page", "anonymousId": "a1",
        "timestamp": "2024-05-01T10:00:00Z",
    }  # fmt: skip
    return tuple(fields.get(n) for n in BRONZE_SCHEMA.fieldNames()[:-3]) + (
        None,
        "landing/f.jsonl",
        ingested,
    )


@pytest.fixture
def bronze_history(spark, tmp_path):
    """A parquet Bronze table whose newer rows were written (and are listed) before older ones."""
    folder = tmp_path / "bronze"
    files = [(["n1"], NEW), (["n2"], NEW), (["o1", "o2"], OLD)]
    for number, (ids, ingested) in enumerate(files):
        frame = spark.createDataFrame([bronze_row(i, ingested) for i in ids], BRONZE_SCHEMA)
        frame.coalesce(1).write.mode("append").parquet(str(folder))
        for part in folder.glob("part-*.parquet"):
            if not part.name.startswith(f"{number}-"):
                part.rename(folder / f"{number}-{part.name}")
    for part in folder.glob("*.parquet"):  # file order = modification time: newer rows first
        age = 100 * int(part.name.split("-")[0])
        os.utime(part, (1_700_000_000 + age, 1_700_000_000 + age))
    table = f"bronze_history_{uuid.uuid4().hex}"
    spark.sql(f"CREATE TABLE {table} USING parquet LOCATION '{folder}'")
    yield table
    spark.sql(f"DROP TABLE IF EXISTS {table}")


def rebuild(spark, tmp_path, stream, table: str) -> list[str]:
    sink = f"silver_rebuild_{uuid.uuid4().hex}"
    history = check_rules(spark.read.table(table))
    query = (
        build_silver_events(check_rules(stream), KEY, history)
        .writeStream.format("memory")
        .queryName(sink)
        .option("checkpointLocation", str(tmp_path / f"checkpoint-{sink}"))
        .start()
    )
    try:
        query.processAllAvailable()
    finally:
        query.stop()
    return sorted(r.event_id for r in spark.table(sink).collect())


def test_a_full_rebuild_with_the_pipeline_reader_keeps_rows_older_than_the_horizon(
    spark, tmp_path, bronze_history
):
    rt = Runtime(name="local", landing_path="landing", pii_key=KEY, dedupe_horizon=HORIZON)

    kept = rebuild(
        spark, tmp_path, read_with_ingest_watermark(spark, rt, bronze_history), bronze_history
    )

    assert kept == ["n1", "n2", "o1", "o2"]


def test_replaying_newer_rows_first_in_separate_batches_would_lose_the_old_ones(
    spark, tmp_path, bronze_history
):
    # The hazard the reader avoids: one file per micro-batch, newer files first. Spark filters
    # late rows against the previous batch's watermark, so the third batch loses the old rows.
    stream = (
        spark.readStream.option("maxFilesPerTrigger", "1")
        .table(bronze_history)
        .withWatermark(INGESTED_AT, HORIZON)
    )

    assert rebuild(spark, tmp_path, stream, bronze_history) == ["n1", "n2"]


def test_history_fixture_spans_more_than_the_horizon(spark, bronze_history):
    rows = spark.table(bronze_history).select(INGESTED_AT).distinct().collect()

    assert {r[0].replace(tzinfo=UTC) for r in rows} == {NEW, OLD}
    assert (NEW - OLD) > timedelta(days=3)
