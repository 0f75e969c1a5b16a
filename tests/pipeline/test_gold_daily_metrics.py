"""gold_daily_metrics: per UTC date counts, funnel and revenue (clickstream.gold_daily_metrics)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from clickstream.contract import DAILY_METRICS_COLUMNS, IDENTITY
from clickstream.gold_daily_metrics import build_daily_metrics
from clickstream.gold_sessions import activity_events, build_sessions, resolve_identity
from clickstream.schema import SILVER_SCHEMA


def event(
    event_id: str,
    when: str,
    *,
    type: str = "page",
    name: str | None = None,
    user: str | None = "u1",
    anon: str | None = None,
    props: dict | None = None,
    revenue: str | None = None,
    ingested: str | None = None,
) -> tuple:
    at = datetime.fromisoformat(when).replace(tzinfo=UTC)
    arrived = datetime.fromisoformat(ingested).replace(tzinfo=UTC) if ingested else at
    path = "/" if type == "page" else None
    return (
        event_id, type, name, user, anon, None, at, at.date(), path, None, None,
        props or {}, {}, None if revenue is None else Decimal(revenue), "events.jsonl", arrived,
    )  # fmt: skip


def order(event_id: str, when: str, revenue: str | None, **kwargs) -> tuple:
    """An Order Completed with Silver's typed ``revenue`` (None: missing or unparsable)."""
    return event(event_id, when, type="track", name="Order Completed", revenue=revenue, **kwargs)


@pytest.fixture
def metrics_of(spark):
    def run(*events):
        return build_daily_metrics(spark.createDataFrame(list(events), SILVER_SCHEMA))

    return run


def test_daily_row_follows_the_column_contract(spark, metrics_of):
    actual = metrics_of(
        event("e1", "2024-05-01T10:00:00", user=None, anon="a1"),
        event("e2", "2024-05-01T10:01:00", type="identify", user="u1", anon="a1"),
        event("e3", "2024-05-01T10:02:00", type="track", name="Product Viewed", anon="a1"),
        event("e4", "2024-05-01T10:03:00", type="track", name="Product Added", anon="a1"),
        event("e5", "2024-05-01T10:04:00", type="track", name="Checkout Started", anon="a1"),
        order("e6", "2024-05-01T10:05:00", "42.50", anon="a1"),
        event("e7", "2024-05-01T11:00:00", user="u2"),
    )

    expected = spark.createDataFrame(
        [(date(2024, 5, 1), 2, 2, 2, 1, 1, 1, 1, Decimal("42.50"))],
        "event_date date, active_users bigint, sessions bigint, page_views bigint, "
        "product_viewed bigint, product_added bigint, checkout_started bigint, orders bigint, "
        "revenue decimal(18,2)",
    )
    assert tuple(actual.columns) == DAILY_METRICS_COLUMNS
    assertDataFrameEqual(actual, expected, checkRowOrder=False)
    assert dict(actual.dtypes)["revenue"] == "decimal(18,2)"


def test_late_event_counts_on_its_own_date(spark, metrics_of):
    actual = metrics_of(
        event("e1", "2024-05-03T09:00:00"),
        event("e2", "2024-05-01T23:50:00", user="u2", ingested="2024-05-03T09:05:00"),
    )

    expected = spark.createDataFrame(
        [(date(2024, 5, 1), 1, 1, 1), (date(2024, 5, 3), 1, 1, 1)],
        "event_date date, active_users bigint, sessions bigint, page_views bigint",
    )
    assertDataFrameEqual(
        actual.select("event_date", "active_users", "sessions", "page_views"), expected
    )


def test_missing_revenue_counts_zero_and_only_orders_bring_revenue(spark, metrics_of):
    actual = metrics_of(
        order("e1", "2024-05-01T10:00:00", "19.99"),
        order("e2", "2024-05-01T10:01:00", None),
        order("e3", "2024-05-01T10:02:00", "5.01"),
        event("e4", "2024-05-01T10:06:00", type="track", name="Product Added", revenue="1000"),
    )

    expected = spark.createDataFrame(
        [(3, Decimal("25.00"))], "orders bigint, revenue decimal(18,2)"
    )
    assertDataFrameEqual(actual.select("orders", "revenue"), expected)


def test_a_day_whose_revenue_does_not_fit_shows_null(spark, metrics_of):
    top = "9999999999999999.99"
    actual = metrics_of(
        order("e1", "2024-05-01T10:00:00", top), order("e2", "2024-05-01T10:01:00", top)
    )

    assert actual.select("revenue").first()[0] is None


def test_funnel_counts_only_track_events_with_the_spec_names(spark, metrics_of):
    actual = metrics_of(
        event("e1", "2024-05-01T10:00:00", type="track", name="Product Viewed"),
        event("e2", "2024-05-01T10:00:01", type="track", name="Product Viewed", user="u2"),
        event("e3", "2024-05-01T10:00:02", type="track", name="Product Added"),
        event("e4", "2024-05-01T10:00:03", type="track", name="Checkout Started"),
        event("e5", "2024-05-01T10:00:04", type="page", name="Order Completed"),
        event("e6", "2024-05-01T10:00:05", type="track", name="product viewed"),
    )

    expected = spark.createDataFrame(
        [(2, 1, 1, 0, 1)],
        "product_viewed bigint, product_added bigint, checkout_started bigint, orders bigint, "
        "page_views bigint",
    )
    assertDataFrameEqual(
        actual.select(
            "product_viewed", "product_added", "checkout_started", "orders", "page_views"
        ),
        expected,
    )


def test_sessions_agree_with_gold_sessions_and_count_on_their_start_date(spark, metrics_of):
    actual = metrics_of(
        event("e1", "2024-05-01T23:50:00"),
        event("e2", "2024-05-02T00:10:00"),
        event("e3", "2024-05-02T09:00:00"),
    )

    expected = spark.createDataFrame(
        [(date(2024, 5, 1), 1, 1), (date(2024, 5, 2), 1, 2)],
        "event_date date, sessions bigint, page_views bigint",
    )
    assertDataFrameEqual(actual.select("event_date", "sessions", "page_views"), expected)


def test_active_users_counts_an_identified_visitor_once(spark, metrics_of):
    actual = metrics_of(
        event("e1", "2024-05-01T10:00:00", user=None, anon="a1"),
        event("e2", "2024-05-01T10:01:00", user="u1", anon="a1"),
        event("e3", "2024-05-01T10:02:00", user=None, anon="a9"),
        event("e4", "2024-05-01T10:03:00", type="identify", user="u7"),
    )

    expected = spark.createDataFrame([(2,)], "active_users bigint")
    assertDataFrameEqual(actual.select("active_users"), expected)


def test_a_session_across_midnight_makes_its_person_active_on_both_days(spark, metrics_of):
    actual = metrics_of(
        event("e1", "2024-05-01T23:50:00"),
        event("e2", "2024-05-02T00:10:00"),
    )

    expected = spark.createDataFrame(
        [(date(2024, 5, 1), 1, 1), (date(2024, 5, 2), 1, 0)],
        "event_date date, active_users bigint, sessions bigint",
    )
    assertDataFrameEqual(actual.select("event_date", "active_users", "sessions"), expected)


def test_active_users_from_sessions_equal_distinct_identities_per_event_date(spark, metrics_of):
    """The derivation from gold_sessions against the definition, over identities stitched late,
    a session running through a whole day, bookkeeping calls and events with no identity."""
    events = [
        event("e1", "2024-05-01T08:00:00", user=None, anon="a1"),
        event("e2", "2024-05-03T08:00:00", type="identify", user="u1", anon="a1"),
        event("e3", "2024-05-01T08:10:00", user="u1"),
        event("e4", "2024-05-02T09:00:00", user=None, anon="a2"),
        event("e5", "2024-05-01T10:00:00", type="identify", user="u3"),
        event("e6", "2024-05-02T11:00:00", user=None, anon=None),
        *[
            event(f"n{i}", f"2024-05-0{4 + i // 96}T{(i % 96) // 4:02d}:{(i % 4) * 15:02d}:00",
                  user="u9")
            for i in range(2 * 96 + 1)
        ],
    ]  # fmt: skip
    frame = spark.createDataFrame(events, SILVER_SCHEMA)
    by_definition = (
        activity_events(resolve_identity(frame))
        .groupBy("event_date")
        .agg(F.count_distinct(IDENTITY).alias("active_users"))
    )

    actual = metrics_of(*events).select("event_date", "active_users")
    assertDataFrameEqual(actual, by_definition)
    assert actual.count() == 5  # 1, 2, 4, 5, 6 May: the 3rd has only an identify


def test_sessions_per_day_equal_gold_sessions_by_start_date(spark, metrics_of):
    """Computed from Silver, the per-day sessions still agree with gold_sessions."""
    events = [
        event("e1", "2024-05-01T08:00:00", user=None, anon="a1"),
        event("e2", "2024-05-01T08:20:00", type="identify", user="u1", anon="a1"),
        event("e3", "2024-05-01T08:40:00", user="u1"),
        event("e4", "2024-05-01T23:45:00", user="u1"),
        event("e5", "2024-05-02T00:10:00", user="u1"),
        event("e6", "2024-05-02T00:40:00", user="u1"),
        event("e7", "2024-05-02T00:40:00", user=None, anon="a2"),
        event("e8", "2024-05-02T09:00:00", user=None, anon=None),
    ]
    frame = spark.createDataFrame(events, SILVER_SCHEMA)
    by_sessions = (
        build_sessions(frame)
        .groupBy(F.to_date("session_start").alias("event_date"))
        .agg(F.count(F.lit(1)).alias("sessions"))
    )

    actual = metrics_of(*events).select("event_date", "sessions").where("sessions > 0")
    assertDataFrameEqual(actual, by_sessions)
