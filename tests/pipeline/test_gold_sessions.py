"""gold_sessions: sessionization of the whole Silver history (clickstream.gold_sessions)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from pyspark.testing import assertDataFrameEqual

from clickstream.contract import SESSION_COLUMNS
from clickstream.gold_sessions import build_sessions
from clickstream.schema import SILVER_SCHEMA

DAY = "2024-05-01"


def ts(clock: str, day: str = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC)


def event(
    event_id: str,
    clock: str,
    *,
    day: str = DAY,
    type: str = "page",
    name: str | None = None,
    user: str | None = "u1",
    anon: str | None = None,
    path: str | None = "/",
    props: dict | None = None,
    ingested: str | None = None,
) -> tuple:
    at = ts(clock, day)
    arrived = datetime.fromisoformat(ingested).replace(tzinfo=UTC) if ingested else at
    page_path = path if type == "page" else None
    return (
        event_id, type, name, user, anon, None, at, at.date(), page_path,
        f"https://shop.example{page_path}" if page_path else None, None,
        props or {}, {}, None, "events.jsonl", arrived,
    )  # fmt: skip


@pytest.fixture
def sessions_of(spark):
    def run(*events):
        return build_sessions(spark.createDataFrame(list(events), SILVER_SCHEMA))

    return run


def frame(spark, schema: str, rows: list[tuple]):
    return spark.createDataFrame(rows, schema)


def test_gap_of_exactly_30_minutes_starts_a_new_session(spark, sessions_of):
    actual = sessions_of(event("e1", "10:00:00"), event("e2", "10:30:00"))

    expected = frame(
        spark,
        "user_key string, session_start timestamp, events bigint",
        [("u1", ts("10:00:00"), 1), ("u1", ts("10:30:00"), 1)],
    )
    assertDataFrameEqual(actual.select("user_key", "session_start", "events"), expected)


def test_gap_of_29_minutes_stays_in_the_session(spark, sessions_of):
    actual = sessions_of(event("e1", "10:00:00"), event("e2", "10:29:00"))

    expected = frame(
        spark,
        "session_start timestamp, session_end timestamp, duration_s bigint, events bigint",
        [(ts("10:00:00"), ts("10:29:00"), 29 * 60, 2)],
    )
    assertDataFrameEqual(
        actual.select("session_start", "session_end", "duration_s", "events"), expected
    )


def test_session_row_follows_the_column_contract(spark, sessions_of):
    actual = sessions_of(
        event("e1", "10:00:00", path="/home"),
        event("e2", "10:01:00", type="track", name="Product Viewed"),
        event("e3", "10:02:30.500000", path="/product/1"),
        event("e4", "10:03:00", type="screen", path=None),
    )

    session_id = hashlib.sha256(f"u1|{int(ts('10:00:00').timestamp()) * 10**6}".encode())
    expected = spark.createDataFrame(
        [
            (
                session_id.hexdigest(),
                "u1",
                ts("10:00:00"),
                ts("10:03:00"),
                180,
                4,
                2,
                "/home",
                "/product/1",
                False,
            ),
        ],  # fmt: skip
        "session_id string, user_key string, session_start timestamp, session_end timestamp, "
        "duration_s bigint, events bigint, page_views bigint, entry_path string, "
        "exit_path string, converted boolean",
    )
    assert tuple(actual.columns) == SESSION_COLUMNS
    assertDataFrameEqual(actual, expected)


def test_late_event_joins_the_session_it_belongs_to(spark, sessions_of):
    on_time = [event("e1", "10:00:00", path="/a"), event("e2", "10:20:00", path="/c")]
    late = event("e3", "10:10:00", path="/b", ingested="2024-05-04T08:00:00")

    before = sessions_of(*on_time)
    after = sessions_of(*on_time, late)

    assertDataFrameEqual(after.select("session_id"), before.select("session_id"))
    expected = frame(spark, "events bigint, page_views bigint", [(3, 3)])
    assertDataFrameEqual(after.select("events", "page_views"), expected)


def test_late_event_bridging_two_sessions_merges_them(spark, sessions_of):
    on_time = [event("e1", "10:00:00"), event("e2", "10:50:00")]
    late = event("e3", "10:25:00", ingested="2024-05-03T00:00:00")

    assert sessions_of(*on_time).count() == 2
    expected = frame(
        spark,
        "session_start timestamp, session_end timestamp, events bigint",
        [(ts("10:00:00"), ts("10:50:00"), 3)],
    )
    assertDataFrameEqual(
        sessions_of(*on_time, late).select("session_start", "session_end", "events"), expected
    )


def test_anonymous_browsing_before_login_is_one_session_with_the_user(spark, sessions_of):
    actual = sessions_of(
        event("e1", "10:00:00", user=None, anon="a1", path="/landing"),
        event("e2", "10:05:00", type="identify", user="u1", anon="a1"),
        event("e3", "10:06:00", user="u1", anon="a1", path="/account"),
    )

    expected = frame(
        spark,
        "user_key string, events bigint, entry_path string, exit_path string",
        [("u1", 2, "/landing", "/account")],
    )
    assertDataFrameEqual(actual.select("user_key", "events", "entry_path", "exit_path"), expected)


def test_anonymous_key_never_linked_is_its_own_identity(spark, sessions_of):
    actual = sessions_of(
        event("e1", "10:00:00", user=None, anon="a1"),
        event("e2", "10:01:00", user="u1", anon="a2"),
    )

    expected = frame(spark, "user_key string, events bigint", [("a1", 1), ("u1", 1)])
    assertDataFrameEqual(actual.select("user_key", "events"), expected)


def test_identify_alias_and_group_neither_open_nor_count_in_sessions(spark, sessions_of):
    actual = sessions_of(
        event("e1", "10:00:00"),
        event("e2", "10:10:00", type="identify"),
        event("e3", "11:00:00", type="group"),
        event("e4", "12:00:00", type="alias"),
    )

    expected = frame(spark, "session_end timestamp, events bigint", [(ts("10:00:00"), 1)])
    assertDataFrameEqual(actual.select("session_end", "events"), expected)


def test_session_with_order_completed_is_converted(spark, sessions_of):
    actual = sessions_of(
        event("e1", "10:00:00"),
        event("e2", "10:05:00", type="track", name="Order Completed"),
        event("e3", "12:00:00"),
        event("e4", "12:05:00", type="track", name="Checkout Started"),
    )

    expected = frame(
        spark,
        "session_start timestamp, converted boolean",
        [(ts("10:00:00"), True), (ts("12:00:00"), False)],
    )
    assertDataFrameEqual(actual.select("session_start", "converted"), expected)


def test_session_without_page_views_has_no_entry_or_exit_path(spark, sessions_of):
    actual = sessions_of(event("e1", "10:00:00", type="track", name="Product Viewed"))

    expected = frame(
        spark,
        "page_views bigint, entry_path string, exit_path string",
        [(0, None, None)],
    )
    assertDataFrameEqual(actual.select("page_views", "entry_path", "exit_path"), expected)


def test_sessions_of_different_people_never_mix(spark, sessions_of):
    actual = sessions_of(
        event("e1", "10:00:00", user="u1"),
        event("e2", "10:01:00", user="u2"),
        event("e3", "10:02:00", user="u1"),
    )

    expected = frame(spark, "user_key string, events bigint", [("u1", 2), ("u2", 1)])
    assertDataFrameEqual(actual.select("user_key", "events"), expected)
    assert actual.select("session_id").distinct().count() == 2
