"""The dashboard's datasets over small hand-made published tables: the edge cases the end-to-end
run does not reach (partial days, a row failing two rules, dates at the ends of the calendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from clickstream.contract import GOLD_DAILY_METRICS, GOLD_QUALITY_DAILY, GOLD_SESSIONS
from dashboards.definition import load

DASHBOARD = load()
DAILY_SCHEMA = (
    "event_date date, active_users bigint, sessions bigint, page_views bigint, "
    "product_viewed bigint, product_added bigint, checkout_started bigint, orders bigint, "
    "revenue decimal(18,2)"
)
SESSIONS_SCHEMA = (
    "session_id string, user_key string, session_start timestamp, session_end timestamp, "
    "duration_s bigint, events bigint, page_views bigint, entry_path string, exit_path string, "
    "converted boolean"
)
QUALITY_SCHEMA = "ingest_date date, rule string, rows bigint"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def session(start: str, end: str, converted: bool = False, user: str = "u1") -> tuple:
    return (f"{user}{start}", user, _at(start), _at(end), 0, 1, 1, "/", "/", converted)


def day(when: date, sessions: int = 1, orders: int = 0) -> tuple:
    return (when, 1, sessions, 1, 1, 0, 0, orders, Decimal("1.50"))


@pytest.fixture
def tables(spark):
    """Registers rows as temporary views named like the published tables."""
    names = []

    def register(name: str, rows: list[tuple], schema: str) -> None:
        spark.createDataFrame(rows, schema).createOrReplaceTempView(name)
        names.append(name)

    yield register
    for name in names:
        spark.catalog.dropTempView(name)


def _rows(spark, dataset: str) -> list[dict]:
    return [r.asDict() for r in spark.sql(DASHBOARD.datasets[dataset].query()).collect()]


def test_a_day_the_data_covers_only_in_part_is_marked_and_has_no_rate(spark, tables):
    tables(
        GOLD_SESSIONS,
        [
            session("2024-05-01T00:00:00", "2024-05-01T00:10:00", converted=True),
            session("2024-05-02T12:00:00", "2024-05-02T12:05:00"),
            session("2024-05-03T09:00:00", "2024-05-03T09:30:00", converted=True),
        ],
        SESSIONS_SCHEMA,
    )
    tables(GOLD_DAILY_METRICS, [day(date(2024, 5, d)) for d in (1, 2, 3)], DAILY_SCHEMA)
    rows = {r["event_date"].day: r for r in _rows(spark, "daily_activity")}
    assert {d: r["day"] for d, r in rows.items()} == {
        1: "whole day",  # the data starts at midnight
        2: "whole day",
        3: "partial day",  # the data stops at 09:30
    }
    assert rows[1]["session_conversion"] == 1.0 and rows[2]["session_conversion"] == 0.0
    assert rows[3]["session_conversion"] is None and rows[3]["converted_sessions"] == 1


def test_daily_activity_runs_at_both_ends_of_the_calendar(spark, tables):
    tables(
        GOLD_SESSIONS,
        [
            session("0001-01-01T00:00:00", "0001-01-01T01:00:00"),
            session("9999-12-31T23:00:00", "9999-12-31T23:59:59.999999"),
        ],
        SESSIONS_SCHEMA,
    )
    tables(GOLD_DAILY_METRICS, [day(date(1, 1, 1)), day(date(9999, 12, 31))], DAILY_SCHEMA)
    rows = _rows(spark, "daily_activity")
    assert [(r["event_date"], r["day"]) for r in rows] == [
        (date(1, 1, 1), "whole day"),
        (date(9999, 12, 31), "whole day"),
    ]


def test_a_row_failing_two_rules_counts_once_in_the_first_bar(spark, tables):
    today = date(2024, 5, 1)
    tables(
        GOLD_QUALITY_DAILY,
        [
            (today, "received", 10),
            (today, "accepted", 7),
            (today, "quarantined", 2),
            (today, "duplicates", 1),
            (today, "has_message_id", 2),  # both quarantined rows fail both rules
            (today, "has_event_time", 2),
        ],
        QUALITY_SCHEMA,
    )
    bars = [(r["bar"], r["rows"]) for r in _rows(spark, "quality_rules")]
    assert bars == [
        ("all quarantined rows", 2),
        ("failed has_event_time", 2),
        ("failed has_message_id", 2),
    ]
    parts = [(r["outcome"], r["rows"]) for r in _rows(spark, "quality_totals")]
    assert parts == [("accepted", 7), ("quarantined", 2), ("duplicates", 1)]


def test_headline_without_sessions_shows_no_conversion_rather_than_failing(spark, tables):
    tables(GOLD_SESSIONS, [], SESSIONS_SCHEMA)
    tables(GOLD_DAILY_METRICS, [], DAILY_SCHEMA)
    spark.createDataFrame([], "event_id string").createOrReplaceTempView("silver_events")
    try:
        (row,) = _rows(spark, "headline")
    finally:
        spark.catalog.dropTempView("silver_events")
    assert row == {
        "events": 0,
        "people": 0,
        "sessions": 0,
        "session_conversion": None,
        "revenue": Decimal("0.00"),
    }
