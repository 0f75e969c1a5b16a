"""A line over the JSON parser's string limit is quarantined whole, under a rule that says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pyspark.sql import functions as F

from clickstream.bronze_events import parse_raw_lines
from clickstream.contract import CORRUPT_RECORD_KEY, INGESTED_AT, RESCUED_DATA, SOURCE_FILE
from clickstream.rules import PARSER_MAX_STRING_LENGTH, check_rules
from clickstream.silver_events import quarantine_rows, to_silver_columns, valid_rows

EVENT = {
    "messageId": "m1",
    "type": "track",
    "event": "Product Viewed",
    "userId": "u1",
    "timestamp": "2024-05-01T10:00:00Z",
}


def _bronze(spark, line: str):
    lines = spark.createDataFrame(
        [(line, "file:/landing/big.json", datetime(2024, 5, 1, tzinfo=UTC))],
        f"value string, {SOURCE_FILE} string, {INGESTED_AT} timestamp",
    )
    return parse_raw_lines(lines)


def test_line_over_the_parser_string_limit_fails_only_line_within_parser_limits(spark):
    blob = "a" * (PARSER_MAX_STRING_LENGTH + 1_000_000)
    line = json.dumps({**EVENT, "properties": {"blob": blob}})

    quarantined = (
        quarantine_rows(check_rules(_bronze(spark, line)))
        .select(
            "failed_rules",
            F.get_json_object(RESCUED_DATA, f"$.{CORRUPT_RECORD_KEY}").alias("_probe"),
            RESCUED_DATA,
        )
        .collect()
    )

    assert len(quarantined) == 1
    assert quarantined[0].failed_rules == ["line_within_parser_limits"]
    assert quarantined[0]._probe is None  # why is_json_object alone could not tell
    assert json.loads(quarantined[0][RESCUED_DATA])[CORRUPT_RECORD_KEY]["line"] == line  # whole


def test_five_megabyte_event_that_parses_reaches_silver(spark):
    line = json.dumps({**EVENT, "properties": {"blob": "a" * 5_000_000}})

    bronze = _bronze(spark, line)

    silver = to_silver_columns(valid_rows(check_rules(bronze)), "test-key").select("event_id")

    assert [row.event_id for row in silver.collect()] == ["m1"]
