"""Hostile input, one example per hazard: no line stops the feed, every line is accounted for.

Each line goes through the real ingest (parse + rules,
``clickstream.bronze_events.ingest_lines``) and
the real Silver columns, in the test session that runs Spark with the pipeline's settings (no
``mapKeyDedupPolicy`` or other semantic change; see ``spark_test_session``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pyspark.errors import SparkRuntimeException
from pyspark.sql import functions as F

from clickstream.bronze_events import ingest_lines
from clickstream.contract import INGESTED_AT, RESCUED_DATA, SOURCE_FILE
from clickstream.silver_events import quarantine_rows, to_silver_columns, valid_rows

KEY = "test-pii-key-for-unit-tests"
INGESTED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
EVENT = '"messageId":"m1","type":"identify","userId":"u1","timestamp":"2026-03-02T10:00:00Z"'


def ingest(spark, *lines: str):
    frame = spark.createDataFrame(
        [(line, f"line-{i}", INGESTED) for i, line in enumerate(lines)],
        f"value string, {SOURCE_FILE} string, {INGESTED_AT} timestamp",
    )
    return ingest_lines(frame)


def outcome(spark, line: str) -> tuple[list[str], int]:
    """(failed rules, Silver rows) of one line, every Silver column computed."""
    bronze = ingest(spark, line)
    (failed,) = [r.failed_rules for r in bronze.select("failed_rules").collect()]
    silver = to_silver_columns(valid_rows(bronze), KEY).collect()
    return failed, len(silver)


def test_spark_default_policy_throws_on_a_map_built_from_a_repeated_key(spark):
    # The platform behaviour the rule guards against (Spark's default mapKeyDedupPolicy).
    frame = spark.createDataFrame([('{"plan":"pro","plan":"free"}',)], "t string")
    parsed = F.from_json("t", "map<string,string>")

    with pytest.raises(SparkRuntimeException, match="DUPLICATED_MAP_KEY"):
        frame.select(F.map_concat(parsed, F.create_map(F.lit("x"), F.lit("y")))).collect()


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("{" + EVENT + ',"traits":{"plan":"pro","plan":"free"}}', id="traits"),
        pytest.param(
            "{" + EVENT + ',"context":{"traits":{"plan":"pro","plan":"free"}}}',
            id="context.traits",
        ),
        pytest.param("{" + EVENT + ',"properties":{"url":"/a","url":"/b"}}', id="properties"),
        pytest.param("{" + EVENT + ',"context":{"ip":"1.2.3.4","ip":"5.6.7.8"}}', id="context"),
        pytest.param(
            "{" + EVENT + ',"context":{"page":{"path":"/a","path":"/b"}}}', id="context.page"
        ),
        pytest.param("{" + EVENT + ',"userId":"u2"}', id="top-level"),
    ],
)
def test_a_repeated_key_is_quarantined_under_no_repeated_keys_and_stops_nothing(spark, line):
    assert outcome(spark, line) == (["no_repeated_keys"], 0)


def test_a_repeated_key_deeper_than_silver_reads_stays_json_text_in_silver(spark):
    line = "{" + EVENT + ',"properties":{"cart":{"sku":"a","sku":"b"}}}'
    bronze = ingest(spark, line)

    (row,) = to_silver_columns(valid_rows(bronze), KEY).collect()

    assert json.loads('{"x":' + json.dumps(row.properties["cart"]) + "}")["x"].count("sku") == 2


def test_a_top_level_repeat_keeps_the_line_whole_and_the_first_copy_in_the_fields(spark):
    line = "{" + EVENT + ',"userId":"u2"}'

    (row,) = quarantine_rows(ingest(spark, line)).collect()

    assert row.userId == "u1"
    marker = json.loads(row[RESCUED_DATA])["_corrupt_record"]
    assert marker == {"reason": "no_repeated_keys", "line": line}


def test_a_real_field_named_like_the_corrupt_marker_is_kept_as_an_unknown_field(spark):
    line = "{" + EVENT + ',"_corrupt_record":"not a marker"}'
    bronze = ingest(spark, line)

    (row,) = bronze.collect()

    assert row.failed_rules == []
    assert json.loads(row[RESCUED_DATA]) == {"_corrupt_record": "not a marker"}


def _at(timestamp: str) -> str:
    return '{"messageId":"m1","type":"page","anonymousId":"a1","timestamp":"' + timestamp + '"}'


@pytest.mark.parametrize(
    "timestamp",
    [
        pytest.param("0001-01-01T00:00:00Z", id="year-1"),
        pytest.param("1999-12-31T23:59:59Z", id="a-second-before-2000"),
        pytest.param("9999-12-31T23:59:59Z", id="year-9999"),
        pytest.param("2026-03-03T12:00:01Z", id="a-second-beyond-the-skew-tolerance"),
        pytest.param("1772539201000", id="epoch-ms-beyond-the-skew-tolerance"),
    ],
)
def test_an_implausible_event_time_is_quarantined(spark, timestamp):
    assert outcome(spark, _at(timestamp)) == (["plausible_event_time"], 0)


@pytest.mark.parametrize(
    "timestamp",
    [
        pytest.param("2000-01-01T00:00:00Z", id="2000-01-01"),
        pytest.param("2026-03-03T12:00:00Z", id="ingestion-plus-one-day"),
        pytest.param("2026-03-03T13:00:00+01:00", id="same-instant-with-an-offset"),
    ],
)
def test_an_event_time_at_the_edges_of_the_plausible_range_reaches_silver(spark, timestamp):
    assert outcome(spark, _at(timestamp)) == ([], 1)


def test_an_event_time_that_cannot_be_parsed_fails_has_event_time_only(spark):
    assert outcome(spark, _at("2024-13-01T00:00:00Z")) == (["has_event_time"], 0)
