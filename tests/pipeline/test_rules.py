"""Silver's quality rules as data (clickstream.rules), one rule at a time."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from clickstream.contract import RESCUED_DATA
from clickstream.rules import (
    EVENT_TIME_SQL,
    SILVER_RULES,
    failed_rule_names,
    passes_all,
    rule_holds,
)
from clickstream.schema import BRONZE_SCHEMA

VALID = {
    "messageId": "m1",
    "type": "track",
    "event": "Product Viewed",
    "userId": "u1",
    "anonymousId": "a1",
    "timestamp": "2024-05-01T10:00:00Z",
    "originalTimestamp": "2024-05-01T09:59:58Z",
    "receivedAt": "2024-05-01T10:00:02Z",
}
MISSING = object()


def bronze(spark, *rows: dict):
    """Bronze rows from the valid event with overrides (MISSING removes a field)."""
    names = BRONZE_SCHEMA.fieldNames()
    data = []
    for overrides in rows:
        row = {**VALID, **overrides}
        row = {k: v for k, v in row.items() if v is not MISSING}
        data.append(tuple(row.get(n) for n in names[:-1]) + (datetime(2024, 5, 1, tzinfo=UTC),))
    return spark.createDataFrame(data, BRONZE_SCHEMA)


def failed_rules_of(spark, overrides: dict) -> list[str]:
    frame = bronze(spark, overrides).select(failed_rule_names(SILVER_RULES).alias("failed"))
    return frame.first().failed


def test_valid_event_fails_no_rule(spark):
    assert failed_rules_of(spark, {}) == []


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        pytest.param(
            {
                RESCUED_DATA: json.dumps(
                    {"_corrupt_record": {"reason": "is_json_object", "line": '{"messageId":"m1"'}}
                )
            },
            "is_json_object",
            id="corrupt-record",
        ),
        pytest.param({"messageId": MISSING}, "has_message_id", id="message-id-null"),
        pytest.param({"messageId": "   "}, "has_message_id", id="message-id-blank"),
        pytest.param(
            {"timestamp": "not a time", "originalTimestamp": MISSING, "receivedAt": "yesterday"},
            "has_event_time",
            id="event-time-all-bad-or-missing",
        ),
        pytest.param({"type": "pageview"}, "known_event_type", id="unknown-type"),
        pytest.param(
            {"type": MISSING, "event": "Product Viewed"}, "known_event_type", id="type-null"
        ),
        pytest.param(
            {"type": MISSING, "event": MISSING}, "known_event_type", id="type-and-event-null"
        ),
        pytest.param(
            {"userId": MISSING, "anonymousId": " "},
            "has_user_or_anonymous_id",
            id="no-user-or-anonymous-id",
        ),
        pytest.param({"event": MISSING}, "track_has_event_name", id="track-without-event"),
        pytest.param({"event": "  "}, "track_has_event_name", id="track-with-blank-event"),
    ],
)
def test_row_failing_one_rule_gets_exactly_that_rule(spark, overrides, rule):
    assert failed_rules_of(spark, overrides) == [rule]


def test_rule_names_are_in_the_rules_order(spark):
    overrides = {"messageId": MISSING, "userId": MISSING, "anonymousId": MISSING}

    assert failed_rules_of(spark, overrides) == ["has_message_id", "has_user_or_anonymous_id"]


def test_corrupt_line_as_parsed_by_bronze_fails_is_json_object(spark):
    everything_null = {k: MISSING for k in VALID}
    overrides = {
        **everything_null,
        RESCUED_DATA: '{"_corrupt_record":{"reason":"is_json_object","line":"x"}}',
    }

    assert "is_json_object" in failed_rules_of(spark, overrides)


@pytest.mark.parametrize(
    ("timestamp", "original", "received", "expected"),
    [
        pytest.param(
            "2024-05-01T10:00:00Z", "2024-05-01T09:00:00Z", "2024-05-01T11:00:00Z", "10:00",
            id="timestamp",
        ),
        pytest.param(
            "garbage", "2024-05-01T09:00:00Z", "2024-05-01T11:00:00Z", "09:00",
            id="original-timestamp",
        ),
        pytest.param(None, None, "2024-05-01T11:00:00Z", "11:00", id="received-at"),
    ],
)  # fmt: skip
def test_event_time_falls_back_timestamp_original_timestamp_received_at(
    spark, timestamp, original, received, expected
):
    frame = bronze(
        spark, {"timestamp": timestamp, "originalTimestamp": original, "receivedAt": received}
    )

    actual = frame.select(F.expr(EVENT_TIME_SQL).alias("event_ts"))

    at = datetime.fromisoformat(f"2024-05-01T{expected}:00+00:00")
    assertDataFrameEqual(actual, spark.createDataFrame([(at,)], "event_ts timestamp"))


def test_late_event_passes_every_rule(spark):
    late = {"timestamp": "2024-04-24T10:00:00Z", "originalTimestamp": "2024-04-24T10:00:00Z"}

    assert failed_rules_of(spark, late) == []


def test_event_with_unknown_fields_passes_every_rule(spark):
    drifted = {RESCUED_DATA: '{"newField":"x","sdkVersion":"9"}'}

    assert failed_rules_of(spark, drifted) == []


def test_a_rule_that_evaluates_to_null_counts_as_failure(spark):
    rules = {"unknowable": "CAST(NULL AS BOOLEAN)", "always": "true"}

    actual = bronze(spark, {}).select(
        rule_holds(rules["unknowable"]).alias("holds"),
        passes_all(rules).alias("passes"),
        failed_rule_names(rules).alias("failed"),
    )

    expected = spark.createDataFrame(
        [(False, False, ["unknowable"])], "holds boolean, passes boolean, failed array<string>"
    )
    assertDataFrameEqual(actual, expected)


def test_null_type_without_event_name_never_passes(spark):
    actual = bronze(spark, {"type": MISSING, "event": MISSING}).select(
        passes_all(SILVER_RULES).alias("passes")
    )

    assert actual.first().passes is False


def test_passes_all_is_true_only_for_rows_without_failed_rules(spark):
    frame = bronze(spark, {}, {"messageId": MISSING}, {"type": "nope"})

    actual = frame.select(
        passes_all(SILVER_RULES).alias("passes"),
        (F.size(failed_rule_names(SILVER_RULES)) == 0).alias("no_failures"),
    )

    assert all(r.passes == r.no_failures for r in actual.collect())


def test_null_safe_rules_are_true_or_false_even_on_a_row_of_nulls(spark):
    from clickstream.rules import null_safe

    nulls = spark.createDataFrame([tuple([None] * len(BRONZE_SCHEMA))], BRONZE_SCHEMA)

    raw = nulls.select(*[F.expr(c).alias(n) for n, c in SILVER_RULES.items()]).first()
    safe = nulls.select(*[F.expr(c).alias(n) for n, c in null_safe(SILVER_RULES).items()]).first()

    assert raw.known_event_type is None  # SQL's three-valued logic: why null_safe exists
    assert None not in safe.asDict().values()
    assert safe.known_event_type is False and safe.has_message_id is False


def test_null_safe_rules_keep_every_rule_name():
    from clickstream.rules import null_safe

    assert list(null_safe(SILVER_RULES)) == list(SILVER_RULES)
