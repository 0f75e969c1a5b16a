"""Same rows whatever the batching: Silver and Gold do not depend on how files were split into runs.

The pipeline's streaming functions run flow by flow over real file and table streams
(``medallion.Medallion``): the same landing files fed all at once, one file per run, then Silver
rebuilt over the kept Bronze table in one micro-batch (a local full refresh) and in arrival-ordered
micro-batches of one Bronze file each (as Databricks' ``withEventTimeOrder`` replays a snapshot in
time buckets). Every duplicate keeps the same copy (by ``_source_file``), and Gold is identical.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from medallion import KEY, Medallion
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from clickstream.bronze_events import LOCAL_FILE_FAULT_OPTIONS
from clickstream.contract import INGESTED_AT, QUALITY_DUPLICATES, SOURCE_FILE
from clickstream.gold_quality_daily import daily_totals
from clickstream.rules import check_rules
from clickstream.schema import BRONZE_SCHEMA
from clickstream.silver_events import build_silver_events


def event(message_id: str, name: str = "Home", **fields) -> dict:
    return {
        "messageId": message_id, "type": "page", "name": name, "anonymousId": "a1",
        "timestamp": "2024-05-01T10:00:00Z", **fields,
    }  # fmt: skip


# File names sort in landing order (as a delivery's time-stamped names do). Each repeated event
# has copies whose content differs, so the copy kept shows in `event_name`.
FILES = {
    "2024-05-01T10-a.jsonl": [
        event("m1", "First"),
        event("m2", "Kept"),
        event("m2", "Kept"),
        event("m3", "First"),
        event("m6", "Late", timestamp="2024-04-01T10:00:00Z"),
    ],
    "2024-05-01T11-b.jsonl": [
        "not json",
        event("m1", "Second"),
        event("m4", "First"),
        event("m3", "Second"),
        event("m7", "First"),
        event("m7", "Second"),  # two copies inside one file
        event(None),
    ],
    "2024-05-01T12-c.jsonl": [
        event("m4", "Second"),
        event("m1", "Third"),
        event("m5", "Only"),
        event("m8", "Valid", timestamp=None),  # fails has_event_time here ...
    ],
    "2024-05-01T13-d.jsonl": [
        event("m8", "Valid"),  # ... so this later valid copy is the first valid one
        event("m2", "Later"),
    ],
}
EXPECTED_SURVIVORS = {
    ("m1", "2024-05-01T10-a.jsonl", "First"),
    ("m2", "2024-05-01T10-a.jsonl", "Kept"),
    ("m3", "2024-05-01T10-a.jsonl", "First"),
    ("m4", "2024-05-01T11-b.jsonl", "First"),
    ("m5", "2024-05-01T12-c.jsonl", "Only"),
    ("m6", "2024-05-01T10-a.jsonl", "Late"),
    ("m8", "2024-05-01T13-d.jsonl", "Valid"),
}


def land_lines(folder, name: str, lines: list, age: timedelta = timedelta(0)) -> None:
    """Write a landing file atomically; ``age`` sets its modification time in the past."""
    text = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    staging = folder.parent / f".{name}.tmp"
    staging.write_text(text)
    stamp = time.time() - age.total_seconds()
    os.utime(staging, (stamp, stamp))
    os.replace(staging, folder / name)


def land(
    medallion: Medallion, name: str, age: timedelta = timedelta(0), as_name: str | None = None
) -> None:
    land_lines(medallion.landing, as_name or name, FILES[name], age)


def survivors(medallion: Medallion) -> set[tuple]:
    silver = medallion.table("silver").select(
        "event_id", F.regexp_extract(SOURCE_FILE, r"[^/]+$", 0).alias("file"), "event_name"
    )
    return {tuple(r) for r in silver.collect()}


# m7's two copies in one file differ only in content: the digest, not the file, decides.
def _m7(medallion: Medallion) -> str:
    return medallion.table("silver").where("event_id = 'm7'").first().event_name


def gold(medallion: Medallion):
    totals = daily_totals(medallion.table("bronze"), medallion.table("silver"))
    return medallion.daily_metrics(), totals.drop("ingest_date")


# Each run drains two streams: built once per module. Tests that rebuild Silver must leave the
# copies it holds as they were (which is what they assert); the one that lands more comes last.
@pytest.fixture(scope="module")
def medallion(spark, tmp_path_factory):
    made = []

    def make(name: str) -> Medallion:
        made.append(Medallion(spark, tmp_path_factory.mktemp(name)))
        return made[-1]

    yield make
    for m in made:
        m.drop()


@pytest.fixture(scope="module")
def all_at_once(medallion):
    m = medallion("all")
    # The first name gets the newest modification time: neither order decides.
    for age, name in enumerate(sorted(FILES)):
        land(m, name, age=timedelta(minutes=age))
    m.run()
    return m


@pytest.fixture(scope="module")
def file_by_file(medallion):
    m = medallion("each")
    for name in sorted(FILES):
        land(m, name)
        m.run()
    return m


def test_all_at_once_keeps_the_first_valid_copy_by_source_file(all_at_once):
    kept = survivors(all_at_once)

    assert {s for s in kept if s[0] != "m7"} == EXPECTED_SURVIVORS
    assert [s[0] for s in kept].count("m7") == 1


def test_one_file_per_run_keeps_the_same_copies_as_one_run_over_all_files(
    all_at_once, file_by_file
):
    assert survivors(file_by_file) == survivors(all_at_once)
    assert _m7(file_by_file) == _m7(all_at_once)


def test_one_file_per_run_gives_the_same_gold_as_one_run_over_all_files(all_at_once, file_by_file):
    for ours, theirs in zip(gold(file_by_file), gold(all_at_once), strict=True):
        assertDataFrameEqual(ours, theirs)


def test_a_local_rebuild_keeps_the_copies_the_incremental_runs_kept(file_by_file):
    before = survivors(file_by_file)
    arrivals = file_by_file.table("silver").select("event_id", INGESTED_AT).collect()

    file_by_file.rebuild_silver()

    assert survivors(file_by_file) == before
    assert set(file_by_file.table("silver").select("event_id", INGESTED_AT).collect()) == set(
        arrivals
    )


def test_a_rebuild_in_arrival_ordered_micro_batches_keeps_the_same_copies(spark, file_by_file):
    # Databricks replays the Bronze snapshot in event-time order of the watermark column
    # (withEventTimeOrder); here one Bronze file per micro-batch, oldest first.
    before = survivors(file_by_file)
    replay = (
        spark.readStream.option("maxFilesPerTrigger", "1")
        .table(file_by_file.bronze)
        .withWatermark(INGESTED_AT, file_by_file.rt.dedupe_horizon)
    )

    file_by_file.rebuild_silver(replay)

    assert survivors(file_by_file) == before


# --- a file's own timestamps ------------------------------------------------------------------


def test_a_file_older_than_the_horizon_landing_after_others_is_taken_in(medallion):
    m = medallion("backfill")
    land(m, "2024-05-01T10-a.jsonl")
    m.run()
    land(m, "2024-05-01T12-c.jsonl", age=timedelta(days=30))  # a backfill keeping its mtime

    m.run()

    names = m.table("bronze").select(F.regexp_extract(SOURCE_FILE, r"[^/]+$", 0).alias("file"))
    files = {r.file for r in names.distinct().collect()}
    assert files == {"2024-05-01T10-a.jsonl", "2024-05-01T12-c.jsonl"}
    assert {"m4", "m5"} <= {r.event_id for r in m.table("silver").collect()}


def test_the_file_stream_alone_would_skip_a_file_older_than_its_max_file_age(spark, tmp_path):
    # Pins why the Bronze reader sets maxFileAge: Spark's default (7 days behind the newest
    # file seen) silently ignores such a file after the first micro-batch.
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "new.txt").write_text("new\n")
    old = landing.parent / "old.txt"
    old.write_text("old\n")
    stamp = time.time() - timedelta(days=30).total_seconds()
    os.utime(old, (stamp, stamp))
    sink = f"plain_{uuid.uuid4().hex}"
    query = (
        spark.readStream.format("text").options(**LOCAL_FILE_FAULT_OPTIONS).load(str(landing))
        .writeStream.format("memory").queryName(sink)
        .option("checkpointLocation", str(tmp_path / "checkpoint")).start()
    )  # fmt: skip
    try:
        query.processAllAvailable()
        os.replace(old, landing / "old.txt")
        query.processAllAvailable()
    finally:
        query.stop()

    assert [r.value for r in spark.table(sink).collect()] == ["new"]


# --- copies further apart than the horizon ----------------------------------------------------

NOW = datetime(2024, 5, 20, tzinfo=UTC)


def _bronze_row(message_id: str, name: str, arrived: datetime, source: str) -> tuple:
    fields = {**event(message_id, name), "anonymousId": "a1"}
    raw = tuple(
        json.dumps(fields[n]) if isinstance(fields.get(n), dict) else fields.get(n)
        for n in BRONZE_SCHEMA.fieldNames()[:-3]
    )
    return (*raw, None, source, arrived)


def test_a_copy_arriving_after_the_dedupe_state_expired_is_still_a_duplicate(spark, tmp_path):
    # Three Bronze micro-batches: the first copy, then a row 10 days newer that moves the
    # watermark (3 days) past it and expires its dedupe state, then the late copy.
    folder = tmp_path / "bronze"
    batches = [
        [("m1", "First", NOW - timedelta(days=10), "f1")],
        [("m9", "Other", NOW, "f2")],
        [("m1", "Second", NOW + timedelta(hours=1), "f3")],
    ]
    for number, rows in enumerate(batches):
        frame = spark.createDataFrame([_bronze_row(*r) for r in rows], BRONZE_SCHEMA)
        frame.coalesce(1).write.mode("append").parquet(str(folder))
        for part in folder.glob("part-*.parquet"):
            stamp = 1_700_000_000 + 100 * number
            os.utime(part, (stamp, stamp))
            part.rename(folder / f"{number}-{part.name}")
    table = f"bronze_far_{uuid.uuid4().hex}"
    spark.sql(f"CREATE TABLE {table} USING parquet LOCATION '{folder}'")
    sink = f"silver_far_{uuid.uuid4().hex}"
    stream = (
        spark.readStream.option("maxFilesPerTrigger", "1").table(table)
        .withWatermark(INGESTED_AT, "3 days")
    )  # fmt: skip
    history = check_rules(spark.read.table(table))
    query = (
        build_silver_events(check_rules(stream), KEY, history)
        .writeStream.format("memory").queryName(sink)
        .option("checkpointLocation", str(tmp_path / "checkpoint")).start()
    )  # fmt: skip
    try:
        query.processAllAvailable()
    finally:
        query.stop()
        spark.sql(f"DROP TABLE IF EXISTS {table}")

    kept = {(r.event_id, r.event_name) for r in spark.table(sink).collect()}
    assert kept == {("m1", "First"), ("m9", "Other")}
    assert sum(1 for p in query.recentProgress if p["numInputRows"] > 0) == 3


# Lands a further file in the shared medallion: keep it last.
def test_duplicates_are_never_negative_and_every_row_is_accounted_for(file_by_file):
    file_by_file.rebuild_silver()
    land(file_by_file, "2024-05-01T12-c.jsonl", as_name="2024-05-01T09-copy.jsonl")
    file_by_file.run()

    totals = daily_totals(file_by_file.table("bronze"), file_by_file.table("silver")).collect()

    assert all(t[QUALITY_DUPLICATES] >= 0 for t in totals)
    assert all(t.received == t.quarantined + t.accepted + t.duplicates for t in totals)
    assert sum(t.received for t in totals) == file_by_file.table("bronze").count()
