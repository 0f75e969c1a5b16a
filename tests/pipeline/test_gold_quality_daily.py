"""gold_quality_daily: counts per ingestion date and rule from Bronze's ledger and Silver."""

from __future__ import annotations

from datetime import date, datetime

from pyspark.testing import assertDataFrameEqual

from clickstream.contract import QUALITY_DAILY_COLUMNS, QUALITY_LEDGER_COLUMNS
from clickstream.gold_quality_daily import (
    build_quality_daily,
    daily_totals,
    quality_counts,
    quality_daily,
    quality_ledger,
)

DAY_1, DAY_2 = datetime(2026, 3, 1, 9, 0), datetime(2026, 3, 2, 23, 59, 59)


def _bronze(spark, ingested: list[datetime], failed: list[tuple[datetime, list[str]]] = ()):
    """Bronze rows that pass every rule, arriving at ``ingested``, and rows failing ``failed``."""
    rows = [(at, []) for at in ingested] + list(failed)
    return spark.createDataFrame(
        [(f"m{i}", at, rules) for i, (at, rules) in enumerate(rows)],
        "messageId string, _ingested_at timestamp, failed_rules array<string>",
    )


def _silver(spark, ingested: list[datetime]):
    return spark.createDataFrame(
        [(f"e{i}", at) for i, at in enumerate(ingested)], "event_id string, _ingested_at timestamp"
    )


def _rows(frame) -> set[tuple]:
    return {tuple(r) for r in frame.collect()}


def test_columns_are_the_contract(spark):
    result = build_quality_daily(_bronze(spark, [DAY_1]), _silver(spark, [DAY_1]))
    assert tuple(result.columns) == QUALITY_DAILY_COLUMNS
    assert [f.dataType.simpleString() for f in result.schema] == ["date", "string", "bigint"]


def test_duplicates_are_bronze_minus_quarantine_minus_silver_per_ingest_date(spark):
    bronze = _bronze(spark, [DAY_1] * 4 + [DAY_2] * 2, [(DAY_1, ["has_message_id"])])
    silver = _silver(spark, [DAY_1] * 2 + [DAY_2] * 2)

    totals = daily_totals(bronze, silver)

    assert _rows(totals) == {
        (date(2026, 3, 1), 5, 1, 2, 2),
        (date(2026, 3, 2), 2, 0, 2, 0),
    }


def test_a_row_failing_two_rules_counts_under_each_rule_but_once_as_quarantined(spark):
    bronze = _bronze(spark, [DAY_1], [(DAY_1, ["has_message_id", "has_event_time"])])
    silver = _silver(spark, [DAY_1])

    result = _rows(build_quality_daily(bronze, silver))

    day = date(2026, 3, 1)
    assert {(day, "has_message_id", 1), (day, "has_event_time", 1)} <= result
    assert (day, "quarantined", 1) in result
    assert (day, "duplicates", 0) in result


def test_every_ingest_date_has_the_four_totals(spark):
    bronze = _bronze(spark, [DAY_1, DAY_2, DAY_2])
    silver = _silver(spark, [DAY_1, DAY_2])

    result = build_quality_daily(bronze, silver)

    expected = spark.createDataFrame(
        [
            (date(2026, 3, 1), "received", 1),
            (date(2026, 3, 1), "quarantined", 0),
            (date(2026, 3, 1), "accepted", 1),
            (date(2026, 3, 1), "duplicates", 0),
            (date(2026, 3, 2), "received", 2),
            (date(2026, 3, 2), "quarantined", 0),
            (date(2026, 3, 2), "accepted", 1),
            (date(2026, 3, 2), "duplicates", 1),
        ],
        "ingest_date date, rule string, rows bigint",
    )
    assertDataFrameEqual(result, expected)


def test_ingest_date_is_the_utc_date_whatever_the_session_time_zone(spark):
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    try:
        # 2026-03-02 02:00 UTC is still March 1st in New York.
        bronze = spark.sql(
            "SELECT 'm' AS messageId, TIMESTAMP'2026-03-02 02:00:00Z' AS _ingested_at, "
            "array() :: array<string> AS failed_rules"
        )
        totals = daily_totals(bronze, _silver(spark, []))
        assert [r.ingest_date for r in totals.collect()] == [date(2026, 3, 2)]
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")


def test_the_ledger_keeps_event_id_date_and_verdict_and_nothing_of_the_row(spark):
    bronze = spark.createDataFrame(
        [(" m1 ", "someone@example.com", DAY_2, ["has_event_time"])],
        "messageId string, userId string, _ingested_at timestamp, failed_rules array<string>",
    )

    ledger = quality_ledger(bronze)

    assert tuple(ledger.columns) == QUALITY_LEDGER_COLUMNS
    assert [tuple(r) for r in ledger.collect()] == [(date(2026, 3, 2), "m1", ["has_event_time"])]


def test_counts_come_from_the_ledger_so_they_survive_the_raw_rows(spark):
    ledger = quality_ledger(_bronze(spark, [DAY_1] * 3, [(DAY_1, ["has_message_id"])]))
    silver = _silver(spark, [DAY_1] * 2)
    ledger_only = spark.createDataFrame(ledger.collect(), ledger.schema)  # Bronze pruned

    result = _rows(quality_daily(quality_counts(ledger_only, silver)))

    day = date(2026, 3, 1)
    assert {(day, "received", 4), (day, "quarantined", 1), (day, "accepted", 2)} <= result
    assert {(day, "duplicates", 1), (day, "has_message_id", 1)} <= result
