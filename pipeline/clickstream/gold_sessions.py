"""Gold sessions: visits of one person, closed by 30 minutes of inactivity.

Plain DataFrame -> DataFrame functions over the whole Silver history (``silver_events``); the
``gold_sessions`` materialized view calls :func:`build_sessions`. ``gold_daily_metrics`` reuses
the identity and activity rules defined here, so both tables count the same events.

Choices (the column contract is ``clickstream.contract.SESSION_COLUMNS``):

- **Identity.** A person is ``user_key`` once known. Anonymous events are stitched to the user
  their ``anonymous_key`` was linked to: the ``user_key`` of the earliest event (by event time,
  then ``event_id``, then ``user_key``) that carries both keys, usually the identify
  (:func:`identity_links`). An anonymous key that was never linked stays its own identity.
  So ``identity = coalesce(user_key, linked user_key, anonymous_key)``: the browsing before a
  login and the browsing after it are one session, and a visitor who logs in later is
  re-attributed (on Databricks, by the batch that brings the login). Events with neither key
  belong to no session.
- **Which events make sessions.** Activity only: ``page``, ``screen`` and ``track``. ``identify``,
  ``alias`` and ``group`` are bookkeeping calls (often sent by SDKs on load or by servers) and
  neither open, extend nor count in a session; they still link identities above.
- **Inactivity.** Events are ordered by ``(event_ts, event_id)`` per identity; a gap of 30 minutes
  or more starts a new session (29:59 does not), the same boundary as Spark's
  ``session_window(event_ts, "30 minutes")``.
- **Late events.** Computed over the whole history, not with streaming state: a late event
  (even days late) lands in the session it belongs to, extends it, or bridges two sessions into
  one (the gap between them is gone, so one session is the correct answer). On Databricks the
  table is maintained batch by batch (:mod:`clickstream.gold_sessions_incremental`) with the same
  result; this module stays the definition.
- **session_id** = SHA-256 of ``identity | session_start`` (epoch microseconds, so independent of
  the session time zone). It is stable across recomputes unless a late event moves the start.
- **Columns.** ``session_end`` is the time of the last event (not plus the 30-minute timeout);
  ``duration_s`` = whole seconds between first and last event; ``events`` counts activity events;
  ``page_views`` counts ``page`` events only (``screen`` views count in ``events``);
  ``entry_path``/``exit_path`` are the ``page_path`` of the first/last page event with a path
  (null when the session has none); ``converted`` = an ``Order Completed`` track in the session.
"""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame, Window, WindowSpec

from clickstream.contract import (
    IDENTITY,
    IDENTITY_INPUT_COLUMNS,
    LINKED_USER_KEY,
    ORDER_COMPLETED,
)

SESSION_GAP_MINUTES = 30
_MICROS_PER_SECOND = 1_000_000
_MICROS_PER_DAY = 86_400 * _MICROS_PER_SECOND
SESSION_GAP_MICROS = SESSION_GAP_MINUTES * 60 * _MICROS_PER_SECOND

PAGE = "page"
TRACK = "track"
ACTIVITY_TYPES = ("page", "screen", "track")


def utc_date(ts: Column) -> Column:
    """The UTC calendar date of a timestamp, whatever the session time zone."""
    return F.date_from_unix_date(F.floor(F.unix_micros(ts) / F.lit(_MICROS_PER_DAY)).cast("int"))


def is_page() -> Column:
    return F.col("event_type") == F.lit(PAGE)


def is_track(event_name: str) -> Column:
    """A track call with exactly this (Segment e-commerce spec) event name."""
    return (F.col("event_type") == F.lit(TRACK)) & (F.col("event_name") == F.lit(event_name))


def _event_order() -> Column:
    return F.struct("event_ts", "event_id")


def identity_links(events: DataFrame) -> DataFrame:
    """``anonymous_key`` -> ``linked_user_key``: the user of the earliest event carrying both
    (by ``event_ts``, then ``event_id``, then ``user_key``, so two copies of one event with
    different users still give one answer).

    A GROUP BY at the top, so Databricks can maintain it incrementally (``gold_identity_links``).
    """
    return (
        events.where(F.col("user_key").isNotNull() & F.col("anonymous_key").isNotNull())
        .groupBy("anonymous_key")
        .agg(
            F.min_by("user_key", F.struct("event_ts", "event_id", "user_key")).alias(
                LINKED_USER_KEY
            )
        )
    )


def link_records(events: DataFrame) -> DataFrame:
    """Per anonymous key, the same link as :func:`identity_links` with the event that made it:
    ``LINK_COLUMNS``. ``link_ts`` and ``link_event_id`` let the incremental sessions path compare a
    later, earlier-dated event with the link without reading the history again.
    """
    earliest = F.min(F.struct("event_ts", "event_id", "user_key")).alias("_link")
    return (
        events.where(F.col("user_key").isNotNull() & F.col("anonymous_key").isNotNull())
        .groupBy("anonymous_key")
        .agg(earliest)
        .select(
            "anonymous_key",
            F.col("_link.user_key").alias("user_key"),
            F.col("_link.event_ts").alias("link_ts"),
            F.col("_link.event_id").alias("link_event_id"),
        )
    )


def identity(linked_user_key: Column) -> Column:
    """The stitched identity of an event joined to its link (see the module docstring)."""
    return F.coalesce(F.col("user_key"), linked_user_key, F.col("anonymous_key"))


def resolve_identity(events: DataFrame, links: DataFrame | None = None) -> DataFrame:
    """``IDENTITY_INPUT_COLUMNS`` of ``events`` plus ``identity`` (see the module docstring).

    ``links`` (``LINK_COLUMNS``) defaults to the links found in ``events`` themselves; the
    incremental path passes the maintained links table instead.
    """
    if links is None:
        links = link_records(events)
    linked = links.select("anonymous_key", F.col("user_key").alias(LINKED_USER_KEY))
    return events.join(linked, on="anonymous_key", how="left").select(
        *IDENTITY_INPUT_COLUMNS, identity(F.col(LINKED_USER_KEY)).alias(IDENTITY)
    )


def activity_events(events: DataFrame) -> DataFrame:
    """Events that are user activity (page, screen, track) with an event time."""
    return events.where(F.col("event_type").isin(*ACTIVITY_TYPES) & F.col("event_ts").isNotNull())


def identity_order() -> WindowSpec:
    """Each identity's events in time order (ties broken by ``event_id``)."""
    return Window.partitionBy(IDENTITY).orderBy("event_ts", "event_id")


def starts_a_session(previous_ts: Column) -> Column:
    """An event opens a session: its identity's previous event is missing or 30 minutes back."""
    return previous_ts.isNull() | (
        F.unix_micros("event_ts") - F.unix_micros(previous_ts) >= F.lit(SESSION_GAP_MICROS)
    )


def build_sessions(events: DataFrame) -> DataFrame:
    """Silver events (whole history) -> one row per session, columns ``SESSION_COLUMNS``."""
    return sessionize(activity_events(resolve_identity(events)))


def sessionize(identified: DataFrame) -> DataFrame:
    """Activity events with ``identity`` -> sessions (``SESSION_COLUMNS``).

    Every event of an identity between two gaps of 30 minutes or more must be present: the
    incremental path feeds whole gap-bounded stretches of an identity's events.
    """
    activity = identified.where(F.col(IDENTITY).isNotNull())
    by_identity = identity_order()
    columns = ["event_id", "event_type", "event_name", "event_ts", "page_path", IDENTITY]

    with_previous = activity.select(
        *columns, F.lag("event_ts").over(by_identity).alias("_previous_ts")
    )
    starts_session = starts_a_session(F.col("_previous_ts"))
    numbered = with_previous.select(
        *columns,
        F.sum(F.when(starts_session, 1).otherwise(0))
        .over(by_identity.rowsBetween(Window.unboundedPreceding, Window.currentRow))
        .alias("_session_number"),
    )

    page_order = F.when(is_page() & F.col("page_path").isNotNull(), _event_order())
    sessions = numbered.groupBy(IDENTITY, "_session_number").agg(
        F.min("event_ts").alias("session_start"),
        F.max("event_ts").alias("session_end"),
        F.count(F.lit(1)).alias("events"),
        F.count_if(is_page()).alias("page_views"),
        F.min_by("page_path", page_order).alias("entry_path"),
        F.max_by("page_path", page_order).alias("exit_path"),
        F.bool_or(is_track(ORDER_COMPLETED)).alias("converted"),
    )
    return sessions.select(
        F.sha2(
            F.concat_ws("|", F.col(IDENTITY), F.unix_micros("session_start").cast("string")),
            256,
        ).alias("session_id"),
        F.col(IDENTITY).alias("user_key"),
        "session_start",
        "session_end",
        F.floor(
            (F.unix_micros("session_end") - F.unix_micros("session_start"))
            / F.lit(_MICROS_PER_SECOND)
        ).alias("duration_s"),
        "events",
        "page_views",
        "entry_path",
        "exit_path",
        "converted",
    )
