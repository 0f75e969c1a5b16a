"""Gold daily metrics: one row per UTC date of activity, built in steps Databricks can maintain
incrementally.

Each step is a plain DataFrame -> DataFrame function behind one materialized view. Every step but
the last has the one shape the incremental-refresh docs accept for it: a GROUP BY at the top
(aggregates over a join or a UNION ALL, never an aggregate under a join or projection, no
DISTINCT aggregate, no map column), or a window function at the top partitioned by identity.

1. ``gold_identity_links`` (:func:`clickstream.gold_sessions.identity_links`):
   anonymous key -> user.
2. ``gold_session_starts`` (:func:`session_starts`): each activity event with its stitched
   identity and whether it opens a session (a window over each identity's events).
3. ``gold_daily_identities`` (:func:`daily_identities`): one row per date and active identity,
   with the sessions that identity started that day.
4. ``gold_daily_counts`` (:func:`daily_counts`): sums per date over the UNION ALL of Silver's
   activity events and ``gold_daily_identities``; ``active_users`` is a count of rows of step 3,
   so no ``count(DISTINCT ...)`` is needed anywhere.
5. ``gold_daily_metrics`` (:func:`daily_metrics`): the contract's column types over step 4, one
   row per date; declared as a full refresh, which reads one row per day.

Choices:

- **The day** is Silver's ``event_date`` (the UTC date of ``event_ts``). A late event counts on
  the date it happened, never on the date it arrived.
- **Which events count.** Activity events only (``page``, ``screen``, ``track``), the same set
  that builds sessions. ``active_users`` = distinct identities (the stitched identity of
  :mod:`clickstream.gold_sessions`) with an activity event that day;
  ``page_views`` = ``page`` events;
  the funnel columns count ``track`` events named exactly as in the Segment e-commerce spec
  (``Product Viewed``, ``Product Added``, ``Checkout Started``, ``Order Completed`` -> ``orders``).
- **sessions** = sessions that start on that UTC date: activity events whose identity's previous
  event is missing or 30 minutes or more earlier, the same boundary as ``gold_sessions`` (a
  session crossing midnight counts once, on the day it started). Computed from Silver, not read
  from ``gold_sessions``, so this table does not depend on how that one is maintained.
- **revenue** is ``DECIMAL(18,2)``: money must add up exactly, and a double does not. Each
  ``Order Completed`` contributes Silver's typed ``revenue`` (``properties.revenue`` parsed once,
  rounded half-up to cents); missing, empty, non-numeric or out-of-range values contribute 0 and
  never fail the pipeline. A day whose total would not fit DECIMAL(18,2) (10^16) shows null
  rather than failing the run.
"""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from clickstream.contract import (
    DAILY_METRICS_COLUMNS,
    FUNNEL_COLUMNS,
    IDENTITY,
    LINKED_USER_KEY,
    ORDER_COMPLETED,
)
from clickstream.gold_sessions import (
    activity_events,
    identity,
    identity_links,
    identity_order,
    is_page,
    is_track,
    starts_a_session,
)
from clickstream.silver_events import REVENUE_TYPE

STARTS_SESSION = "starts_session"
SESSIONS = "sessions"
_COUNT_COLUMNS = DAILY_METRICS_COLUMNS[1:-1]


def order_revenue() -> Column:
    """Revenue of one event: Silver's ``revenue`` if an Order Completed (0 when missing), else 0."""
    return (
        F.when(is_track(ORDER_COMPLETED), F.coalesce(F.col("revenue"), F.lit(0)))
        .otherwise(F.lit(0))
        .cast(REVENUE_TYPE)
    )


def _one_if(condition: Column) -> Column:
    return F.when(condition, 1).otherwise(0).cast("bigint")


def session_starts(events: DataFrame, links: DataFrame) -> DataFrame:
    """Silver + ``gold_identity_links`` -> ``event_date``, ``identity``, ``starts_session`` per
    activity event with an identity."""
    activity = activity_events(events).where(
        F.col("user_key").isNotNull() | F.col("anonymous_key").isNotNull()
    )
    stitched = activity.join(links, on="anonymous_key", how="left").select(
        "event_id", "event_ts", "event_date", identity(F.col(LINKED_USER_KEY)).alias(IDENTITY)
    )
    return stitched.select(
        "event_date",
        IDENTITY,
        starts_a_session(F.lag("event_ts").over(identity_order())).alias(STARTS_SESSION),
    )


def daily_identities(starts: DataFrame) -> DataFrame:
    """``gold_session_starts`` -> one row per ``event_date`` and active ``identity``, with the
    ``sessions`` it started that day."""
    return starts.groupBy("event_date", IDENTITY).agg(
        F.count_if(F.col(STARTS_SESSION)).alias(SESSIONS)
    )


def daily_counts(events: DataFrame, identities: DataFrame) -> DataFrame:
    """Silver + ``gold_daily_identities`` -> per ``event_date`` sums of the contract's columns
    (``revenue`` still at the sum's own precision)."""
    zero = F.lit(0).cast("bigint")
    from_events = activity_events(events).select(
        "event_date",
        zero.alias("active_users"),
        zero.alias(SESSIONS),
        _one_if(is_page()).alias("page_views"),
        *[_one_if(is_track(step)).alias(column) for step, column in FUNNEL_COLUMNS.items()],
        order_revenue().alias("revenue"),
    )
    from_identities = identities.select(
        "event_date",
        F.lit(1).cast("bigint").alias("active_users"),
        F.col(SESSIONS).cast("bigint").alias(SESSIONS),
        *[zero.alias(c) for c in _COUNT_COLUMNS[2:]],
        F.lit(0).cast(REVENUE_TYPE).alias("revenue"),
    )
    return (
        from_events.unionByName(from_identities)
        .groupBy("event_date")
        .agg(*[F.sum(c).alias(c) for c in DAILY_METRICS_COLUMNS[1:]])
    )


def daily_metrics(counts: DataFrame) -> DataFrame:
    """``gold_daily_counts`` -> ``gold_daily_metrics`` in the contract's column types."""
    return counts.select(
        "event_date",
        *[F.col(c).cast("bigint").alias(c) for c in _COUNT_COLUMNS],
        F.col("revenue").try_cast(REVENUE_TYPE).alias("revenue"),
    )


def build_daily_metrics(events: DataFrame) -> DataFrame:
    """Silver (whole history) -> ``gold_daily_metrics``: every step above, composed."""
    starts = session_starts(events, identity_links(events))
    return daily_metrics(daily_counts(events, daily_identities(starts)))
