"""gold_dim_users: the local SCD2 stand-in, and the Databricks AUTO CDC call it stands in for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dp_graph import load_graph
from pyspark.testing import assertDataFrameEqual

from clickstream import runtime
from clickstream.contract import DIM_USERS_COLUMNS, GOLD_DIM_USERS
from clickstream.gold_dim_users import CHANGES_VIEW, identify_changes, scd2_history
from clickstream.schema import SILVER_SCHEMA

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)

SEQUENCE = "struct<event_ts: timestamp, event_id: string>"
VERSION_SCHEMA = (
    "user_key string, plan string, country string, email_hash string, "
    f"__START_AT {SEQUENCE}, __END_AT {SEQUENCE}"
)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def identify(
    event_id: str,
    minutes: int,
    *,
    user: str | None = "u1",
    plan: str | None = None,
    country: str | None = None,
    email: str | None = None,
    type: str = "identify",
) -> tuple:
    traits = {k: v for k, v in {"plan": plan, "country": country}.items() if v is not None}
    when = at(minutes)
    return (
        event_id, type, None, user, "anon-" + event_id, email, when, when.date(), None, None,
        None, {}, traits, None, "events.jsonl", when,
    )  # fmt: skip


def version(user, plan, country, email, start, end):
    """Expected row; ``start``/``end`` are (minutes, event_id) of the identify that opened or
    closed the version, or None."""

    def seq(point):
        return None if point is None else (at(point[0]), point[1])

    return (user, plan, country, email, seq(start), seq(end))


@pytest.fixture
def history_of(spark):
    def run(*events):
        frame = spark.createDataFrame(list(events), SILVER_SCHEMA)
        return scd2_history(identify_changes(frame))

    return run


def expect(spark, *rows):
    return spark.createDataFrame(list(rows), VERSION_SCHEMA)


def test_a_change_closes_the_version_and_opens_a_new_one(spark, history_of):
    actual = history_of(
        identify("e1", 0, plan="free", country="DE", email="h1"),
        identify("e2", 5, plan="pro", country="DE", email="h1"),
    )

    assert tuple(actual.columns) == DIM_USERS_COLUMNS
    assertDataFrameEqual(
        actual,
        expect(
            spark,
            version("u1", "free", "DE", "h1", (0, "e1"), (5, "e2")),
            version("u1", "pro", "DE", "h1", (5, "e2"), None),
        ),
    )


def test_a_repeat_without_change_opens_no_version(spark, history_of):
    actual = history_of(
        identify("e1", 0, plan="free", country="DE"),
        identify("e2", 5, plan="free", country="DE"),
        identify("e3", 9, plan="free", country="DE"),
    )

    assertDataFrameEqual(actual, expect(spark, version("u1", "free", "DE", None, (0, "e1"), None)))


def test_a_late_identify_slots_into_the_history_at_its_event_time(spark, history_of):
    actual = history_of(
        identify("e1", 0, plan="free"),
        identify("e3", 20, plan="free"),
        identify("e2", 10, plan="pro"),  # arrives last, happened in between
    )

    assertDataFrameEqual(
        actual,
        expect(
            spark,
            version("u1", "free", None, None, (0, "e1"), (10, "e2")),
            version("u1", "pro", None, None, (10, "e2"), (20, "e3")),
            version("u1", "free", None, None, (20, "e3"), None),
        ),
    )


def test_a_null_plan_overwrites_the_previous_plan_like_auto_cdc(spark, history_of):
    actual = history_of(
        identify("e1", 0, plan="pro", country="DE"),
        identify("e2", 5, country="DE"),
    )

    assertDataFrameEqual(
        actual,
        expect(
            spark,
            version("u1", "pro", "DE", None, (0, "e1"), (5, "e2")),
            version("u1", None, "DE", None, (5, "e2"), None),
        ),
    )


@pytest.mark.parametrize("arrival", ["e-a first", "e-b first"])
def test_identifies_at_the_same_instant_resolve_by_event_id_in_any_arrival_order(
    spark, history_of, arrival
):
    same_instant = [identify("e-a", 0, plan="free"), identify("e-b", 0, plan="pro")]
    if arrival == "e-b first":
        same_instant.reverse()

    actual = history_of(*same_instant)

    assertDataFrameEqual(
        actual,
        expect(
            spark,
            version("u1", "free", None, None, (0, "e-a"), (0, "e-b")),
            version("u1", "pro", None, None, (0, "e-b"), None),
        ),
    )


def test_only_identifies_of_known_users_with_tracked_traits_are_change_records(spark, history_of):
    actual = history_of(
        identify("e1", 0, plan="free"),
        identify("e2", 1),  # a bare identify: no tracked attribute
        identify("e3", 2, plan="pro", type="track"),
        identify("e4", 3, plan="pro", user=None),
    )

    assertDataFrameEqual(actual, expect(spark, version("u1", "free", None, None, (0, "e1"), None)))


def _reference_scd2(records):
    """Plain-Python SCD2 over (user, plan, country, email, minutes, event_id) records."""
    rows = []
    by_user = {}
    for record in records:
        by_user.setdefault(record[0], []).append(record)
    for user, changes in by_user.items():
        changes.sort(key=lambda r: (r[4], r[5]))
        kept = [c for i, c in enumerate(changes) if i == 0 or c[1:4] != changes[i - 1][1:4]]
        for i, c in enumerate(kept):
            end = (kept[i + 1][4], kept[i + 1][5]) if i + 1 < len(kept) else None
            rows.append(version(user, c[1], c[2], c[3], (c[4], c[5]), end))
    return rows


def test_many_users_match_a_reference_scd2_with_one_open_version_each(spark, history_of):
    plans = ["free", "pro", "pro", None]
    countries = ["DE", "DE", "FR"]
    records = []
    for u in range(40):
        for k in range(6):
            minutes = (k * 7 + u * 3) % 23  # out of order, with repeats
            records.append(
                (f"u{u:02d}", plans[(u + k) % 4], countries[(u * k) % 3], f"h{u % 2}",
                 minutes, f"e{u:02d}-{k}")
            )  # fmt: skip
    events = [
        identify(eid, minutes, user=user, plan=plan, country=country, email=email)
        for user, plan, country, email, minutes, eid in reversed(records)
    ]

    actual = history_of(*events)

    assertDataFrameEqual(actual, expect(spark, *_reference_scd2(records)))
    open_versions = actual.where("__END_AT IS NULL").groupBy("user_key").count()
    assert open_versions.where("count != 1").count() == 0
    assert open_versions.count() == 40


# --- The platform switch: which pipeline definitions each runtime registers. -----------------


DATABRICKS_CONF = {
    runtime.RUNTIME_KEY: runtime.DATABRICKS,
    runtime.LANDING_PATH_KEY: "/landing",
    runtime.PII_KEY_SCOPE_KEY: "scope",
    runtime.PII_KEY_NAME_KEY: "pii-hash-key",
    runtime.RAW_SCHEMA_KEY: "raw",
}
LOCAL_CONF = {runtime.LANDING_PATH_KEY: "/landing"}


def declared(monkeypatch, conf, silver=None):
    """The graph ``transformations/gold_dim_users.py`` declares; its reads return ``silver``."""
    graph = load_graph(monkeypatch, conf, "gold_dim_users")
    read = lambda name: silver if name == "silver_events" else None  # noqa: E731
    graph.spark.read.table.side_effect = read
    graph.spark.readStream.table.side_effect = read
    graph.spark.readStream.options.return_value.table.side_effect = read
    return graph


def test_databricks_defines_an_auto_cdc_scd2_flow_from_an_identify_stream(spark, monkeypatch):
    graph = declared(monkeypatch, DATABRICKS_CONF)

    assert [(d["kind"], name) for name, d in graph.datasets.items()] == [
        ("temporary_view", CHANGES_VIEW)
    ]
    assert [name for name, _ in graph.calls] == ["create_streaming_table", "create_auto_cdc_flow"]
    (table,) = graph.called("create_streaming_table")
    assert table["name"] == GOLD_DIM_USERS
    assert table["table_properties"] == {"quality": "gold"}
    assert table["comment"]
    assert table["cluster_by_auto"] is True and table["cluster_by"] == ["user_key"]
    (flow,) = graph.called("create_auto_cdc_flow")
    assert (flow["target"], flow["source"]) == (GOLD_DIM_USERS, CHANGES_VIEW)
    view = graph.datasets[CHANGES_VIEW]
    assert view["comment"] == "Identify events as SCD2 change records."


def test_databricks_change_view_streams_identify_change_records_from_silver(spark, monkeypatch):
    silver = spark.createDataFrame(
        [identify("e1", 0, plan="pro", email="h1"), identify("e2", 1, plan="x", type="page")],
        SILVER_SCHEMA,
    )
    graph = declared(monkeypatch, DATABRICKS_CONF, silver)

    changes = graph.queries[CHANGES_VIEW]()

    expected = spark.createDataFrame(
        [("u1", "pro", None, "h1", (at(0), "e1"))],
        f"user_key string, plan string, country string, email_hash string, "
        f"change_sequence {SEQUENCE}",
    )
    assertDataFrameEqual(changes, expected)


def test_local_run_defines_a_materialized_view_with_the_same_rows(spark, monkeypatch):
    silver = spark.createDataFrame(
        [identify("e1", 0, plan="free"), identify("e2", 5, plan="pro")], SILVER_SCHEMA
    )
    graph = declared(monkeypatch, LOCAL_CONF, silver)

    assert graph.calls == []
    assert list(graph.datasets) == [GOLD_DIM_USERS]
    view = graph.datasets[GOLD_DIM_USERS]
    assert view["kind"] == "materialized_view"
    assert view["table_properties"] == {"quality": "gold"}
    assert view["cluster_by"] == ["user_key"] and "cluster_by_auto" not in view
    assertDataFrameEqual(
        graph.queries[GOLD_DIM_USERS](),
        expect(
            spark,
            version("u1", "free", None, None, (0, "e1"), (5, "e2")),
            version("u1", "pro", None, None, (5, "e2"), None),
        ),
    )
