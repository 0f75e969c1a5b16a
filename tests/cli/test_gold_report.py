"""The Gold report helpers of clickstream-local show (clickstream_cli.gold_report)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from rich.console import Console

from clickstream.schema import SILVER_SCHEMA
from clickstream_cli import gold_report

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


def page(event_id: str, path: str | None, type: str = "page") -> tuple:
    at = datetime(2024, 5, 1, 10, tzinfo=UTC)
    return (
        event_id, type, None, "u1", None, None, at, at.date(), path, None, None, {}, {}, None,
        "events.jsonl", at,
    )  # fmt: skip


def session(session_id: str, start: str, converted: bool) -> tuple:
    at = datetime.fromisoformat(start).replace(tzinfo=UTC)
    return (session_id, "u1", at, at, 0, 1, 1, "/", "/", converted)


@pytest.fixture
def tables(spark):
    """Registers the given rows as temp views named like the pipeline tables."""
    names = []

    def register(name: str, rows: list[tuple], schema) -> None:
        spark.createDataFrame(rows, schema).createOrReplaceTempView(name)
        names.append(name)

    yield register
    for name in names:
        spark.catalog.dropTempView(name)


def daily(day: int, viewed: int, added: int, checkout: int, orders: int, revenue: str) -> tuple:
    return (date(2024, 5, day), 1, 1, 1, viewed, added, checkout, orders, Decimal(revenue))


def test_funnel_counts_and_conversion_rates_over_all_days(spark, tables):
    tables(
        "gold_daily_metrics",
        [daily(1, 60, 30, 10, 5, "10.00"), daily(2, 40, 20, 10, 3, "5.50")],
        DAILY_SCHEMA,
    )

    assert gold_report.funnel(spark) == [
        {"step": "Product Viewed", "count": 100, "step_rate": None, "overall_rate": 1.0},
        {"step": "Product Added", "count": 50, "step_rate": 0.5, "overall_rate": 0.5},
        {"step": "Checkout Started", "count": 20, "step_rate": 0.4, "overall_rate": 0.2},
        {"step": "Order Completed", "count": 8, "step_rate": 0.4, "overall_rate": 0.08},
    ]


def test_funnel_of_an_empty_table_has_zero_counts_and_no_rates(spark, tables):
    tables("gold_daily_metrics", [], DAILY_SCHEMA)

    assert [(r["count"], r["step_rate"], r["overall_rate"]) for r in gold_report.funnel(spark)] == [
        (0, None, None)
    ] * 4


def test_top_pages_ranks_page_events_by_views(spark, tables):
    tables(
        "silver_events",
        [
            page("e1", "/b"),
            page("e2", "/a"),
            page("e3", "/b"),
            page("e4", "/c"),
            page("e5", "/a"),
            page("e6", "/b"),
            page("e7", None),
            page("e8", "/z", "screen"),
        ],  # fmt: skip
        SILVER_SCHEMA,
    )

    assert gold_report.top_pages(spark, limit=2) == [
        {"page_path": "/b", "page_views": 3},
        {"page_path": "/a", "page_views": 2},
    ]


def test_sessions_per_day_with_conversion_rate(spark, tables):
    tables(
        "gold_sessions",
        [
            session("s1", "2024-05-01T23:59:00", True),
            session("s2", "2024-05-01T08:00:00", False),
            session("s3", "2024-05-02T00:00:00", False),
        ],
        SESSIONS_SCHEMA,
    )

    assert gold_report.sessions_per_day(spark) == [
        {"date": date(2024, 5, 1), "sessions": 2, "converted": 1, "conversion_rate": 0.5},
        {"date": date(2024, 5, 2), "sessions": 1, "converted": 0, "conversion_rate": 0.0},
    ]


def test_total_revenue_sums_all_days_as_a_decimal(spark, tables):
    tables(
        "gold_daily_metrics",
        [daily(1, 0, 0, 0, 1, "10.10"), daily(2, 0, 0, 0, 1, "5.25")],
        DAILY_SCHEMA,
    )

    assert gold_report.total_revenue(spark) == Decimal("15.35")


def test_render_gold_report_prints_every_section(spark, tables):
    tables("gold_daily_metrics", [daily(1, 4, 2, 1, 1, "1234.50")], DAILY_SCHEMA)
    tables("gold_sessions", [session("s1", "2024-05-01T10:00:00", True)], SESSIONS_SCHEMA)
    tables("silver_events", [page("e1", "/checkout")], SILVER_SCHEMA)
    console = Console(record=True, width=120)

    gold_report.render_gold_report(spark, console)

    text = console.export_text()
    for expected in ("Funnel", "Order Completed", "25.0%", "/checkout", "2024-05-01", "100.0%"):
        assert expected in text
    assert "Total revenue: 1,234.50" in text
