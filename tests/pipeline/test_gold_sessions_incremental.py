"""Incremental sessions (clickstream.gold_sessions_incremental) equal the full recompute.

Applying ``apply_sessions_batch`` batch by batch, starting from empty tables, must leave exactly
the sessions and links that ``build_sessions`` / ``link_records`` compute over all events:
checked on random histories split into random micro-batches, and on the cases that matter named.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyspark.sql.functions as F
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from hypothesis_profiles import spark_property
from pyspark.sql import DataFrame
from pyspark.testing import assertDataFrameEqual

from clickstream.contract import LINK_COLUMNS, ORDER_COMPLETED
from clickstream.gold_sessions import build_sessions, link_records
from clickstream.gold_sessions_incremental import apply_change, apply_sessions_batch
from clickstream.schema import SILVER_SCHEMA

START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
STEP = timedelta(minutes=10)  # a coarse grid: gaps of exactly 30 minutes happen often


def event(
    event_id: str,
    step: int,
    *,
    type: str = "page",
    user: str | None = None,
    anon: str | None = None,
    name: str | None = None,
    path: str | None = "/",
) -> tuple:
    at = START + step * STEP
    page_path = path if type == "page" else None
    return (
        event_id, type, name, user, anon, None, at, at.date(), page_path, None, None,
        {}, {}, "events.jsonl", at,
    )  # fmt: skip


def frame(spark, rows: list[tuple]) -> DataFrame:
    """Rows of the event tuple above; Silver's typed ``revenue`` is left null."""
    names = [f.name for f in SILVER_SCHEMA.fields if f.name != "revenue"]
    short = spark.createDataFrame(rows, SILVER_SCHEMA.__class__([SILVER_SCHEMA[n] for n in names]))
    revenue = F.lit(None).cast(SILVER_SCHEMA["revenue"].dataType).alias("revenue")
    return short.select(*[c if c != "revenue" else revenue for c in SILVER_SCHEMA.names])


def frozen(spark, df: DataFrame) -> DataFrame:
    """The rows of ``df`` as a fresh frame (keeps each batch's plan small)."""
    return spark.createDataFrame(df.collect(), df.schema)


def run_batches(
    spark, batches: list[list[tuple]], silver_ahead: bool = False, count_reads: bool = False
):
    """Apply each batch in turn from empty tables; Silver holds the batches so far (and the
    next one too with ``silver_ahead``: the sink may read a Silver that moved on)."""
    sessions = frozen(spark, build_sessions(frame(spark, [])))
    links = frozen(spark, link_records(frame(spark, [])))
    reads = []
    for k, batch in enumerate(batches):
        seen = [row for b in batches[: k + (2 if silver_ahead else 1)] for row in b]
        change = apply_sessions_batch(sessions, links, frame(spark, seen), frame(spark, batch))
        if count_reads:
            reads.append({name: df.count() for name, df in change.reads.items()})
        merged = apply_change(sessions, change.upserts, change.deletes, "session_id")
        no_deletes = change.link_upserts.select("anonymous_key").limit(0)
        sessions = frozen(spark, merged)
        links = frozen(spark, apply_change(links, change.link_upserts, no_deletes, "anonymous_key"))
    return sessions, links, reads


def assert_equals_full_recompute(spark, batches, sessions, links) -> None:
    everything = frame(spark, [row for batch in batches for row in batch])
    assertDataFrameEqual(sessions, build_sessions(everything))
    assertDataFrameEqual(links.select(*LINK_COLUMNS), link_records(everything))


USERS = ("u1", "u2")
ANONS = ("a1", "a2", "a3")


@st.composite
def histories(draw):
    """Events of a few people on a 10-minute grid, in random batches, with duplicates."""
    count = draw(st.integers(1, 14))
    rows = []
    for i in range(count):
        kind = draw(st.sampled_from(["page", "page", "track", "screen", "identify"]))
        keys = draw(st.sampled_from(["user", "anon", "anon", "both"]))
        user = draw(st.sampled_from(USERS)) if keys in ("user", "both") else None
        anon = draw(st.sampled_from(ANONS)) if keys in ("anon", "both") else None
        names = st.sampled_from([ORDER_COMPLETED, "Product Viewed"])
        name = draw(names) if kind == "track" else None
        path = draw(st.sampled_from(["/", "/cart", None]))
        rows.append(
            event(f"e{i:02d}", draw(st.integers(0, 24)), type=kind, user=user, anon=anon,
                  name=name, path=path)
        )  # fmt: skip
    # A copy of an event already seen (a duplicate beyond the dedupe horizon reaches Silver).
    rows += draw(st.lists(st.sampled_from(rows), max_size=2))
    parts = draw(st.integers(1, 3))
    assignment = draw(st.lists(st.integers(0, parts - 1), min_size=len(rows), max_size=len(rows)))
    return [[row for row, b in zip(rows, assignment, strict=True) if b == k] for k in range(parts)]


@spark_property(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=histories(), silver_ahead=st.booleans())
def test_batch_by_batch_equals_the_full_recompute(spark, batches, silver_ahead):
    sessions, links, _ = run_batches(spark, batches, silver_ahead)

    assert_equals_full_recompute(spark, batches, sessions, links)


def test_late_event_bridging_two_sessions_merges_them(spark):
    batches = [
        [event("e1", 0, user="u1"), event("e2", 6, user="u1")],  # 60 minutes apart: two
        [event("e3", 3, user="u1")],  # late, exactly 30 minutes from each: three sessions
        [event("e4", 2, user="u1")],  # late, 20 minutes after e1, 10 before e3: bridges them
    ]
    sessions, links, _ = run_batches(spark, batches)

    assert_equals_full_recompute(spark, batches, sessions, links)
    assert sessions.count() == 2  # e1-e4-e3, and e2 (30 minutes after e3)


def test_identify_in_a_later_batch_moves_the_anonymous_sessions_to_the_user(spark):
    batches = [
        [event("e1", 0, anon="a1"), event("e2", 20, anon="a1")],
        [event("e3", 21, type="identify", user="u1", anon="a1", path=None)],
    ]
    sessions, links, _ = run_batches(spark, batches)

    assert_equals_full_recompute(spark, batches, sessions, links)
    assert {row.user_key for row in sessions.collect()} == {"u1"}


def test_an_earlier_link_moves_the_history_from_the_old_user_to_the_new(spark):
    batches = [
        [event("e1", 0, anon="a1"), event("e2", 1, type="identify", user="u1", anon="a1")],
        # u2's identify is earlier than the one that linked a1 to u1
        [event("e3", 0, type="identify", user="u2", anon="a1", path=None)],
    ]
    sessions, links, _ = run_batches(spark, batches)

    assert_equals_full_recompute(spark, batches, sessions, links)
    assert [row.user_key for row in links.collect()] == ["u2"]


def test_a_batch_reads_only_the_sessions_of_the_identities_it_touches(spark):
    history = [event(f"h{i}", 4 * i, user="u2") for i in range(6)]  # six sessions of u2
    batches = [history, [event("n1", 0, user="u1")]]

    sessions, links, reads = run_batches(spark, batches, count_reads=True)

    assert_equals_full_recompute(spark, batches, sessions, links)
    assert reads[1]["sessions"] == 0  # u1 had none; u2's six are not read
    assert reads[1]["silver_regions"] == 1  # the new event itself


def test_no_changed_session_starts_before_since(spark):
    history = [event(f"h{i}", 4 * i, user="u1") for i in range(4)]  # 09:00, 09:40, 10:20, 11:00
    late = [event("late", 5, user="u1")]  # 09:50: joins the 09:40 session
    sessions = frozen(spark, build_sessions(frame(spark, history)))
    links = frozen(spark, link_records(frame(spark, history)))

    change = apply_sessions_batch(sessions, links, frame(spark, history + late), frame(spark, late))

    since = START + 4 * STEP
    assert change.since_micros == int(since.timestamp()) * 1_000_000
    deleted = sessions.join(change.deletes, ["session_id", "user_key"], "left_semi")
    changed = change.upserts.unionByName(deleted)
    (first,) = changed.agg(F.unix_micros(F.min("session_start"))).first()
    assert first == change.since_micros
