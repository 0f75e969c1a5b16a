"""Gold daily metrics: one row per UTC date of activity.

:func:`build_daily_metrics` takes the whole Silver history and ``gold_sessions`` (so the
``sessions`` column agrees with that table by construction) and returns the columns of
``DAILY_METRICS_COLUMNS``.

Choices:

- **The day** is Silver's ``event_date`` (the UTC date of ``event_ts``). A late event counts on
  the date it happened, never on the date it arrived; the view is recomputed from the whole
  history.
- **Which events count.** Activity events only (``page``, ``screen``, ``track``), the same set
  that builds sessions. ``active_users`` = distinct identities (the stitched identity of
  :mod:`clickstream.sessions`) with an activity event that day; ``page_views`` = ``page`` events;
  the funnel columns count ``track`` events named exactly as in the Segment e-commerce spec
  (``Product Viewed``, ``Product Added``, ``Checkout Started``, ``Order Completed`` -> ``orders``).
- **sessions** = sessions of ``gold_sessions`` whose ``session_start`` falls on that UTC date (a
  session crossing midnight counts once, on the day it started).
- **active_users** is read from ``gold_sessions`` too, not from a second identity resolution over
  the whole history: a person is active on day D exactly when one of their sessions touches D
  (``session_start``'s date to ``session_end``'s). An identity's sessions partition its
  activity events, and a session's consecutive events are less than 30 minutes apart, so a
  session that touches D has an event on D (one that crosses midnight has events on both days),
  and an event on D lies in a session that touches D. The event counts need no identity, so
  they are one scan of Silver.
- **revenue** is ``DECIMAL(18,2)``: money must add up exactly, and a double does not. Each
  ``Order Completed`` contributes ``try_cast(properties['revenue'] AS DECIMAL(18,2))``, rounded
  half-up to cents; missing, empty, non-numeric or out-of-range values contribute 0 and never
  fail the pipeline. A day whose total would not fit DECIMAL(18,2) (10^16) shows null rather
  than failing the run.
"""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from clickstream.contract import (
    DAILY_METRICS_COLUMNS,
    FUNNEL_COLUMNS,
    ORDER_COMPLETED,
)
from clickstream.sessions import activity_events, is_page, is_track, utc_date

REVENUE_TYPE = "decimal(18,2)"


_COUNT_COLUMNS = DAILY_METRICS_COLUMNS[1:-1]


def order_revenue() -> Column:
    """Revenue of one event: its parsed ``properties['revenue']`` if an Order Completed, else 0."""
    amount = F.col("properties").getItem("revenue").try_cast(REVENUE_TYPE)
    return (
        F.when(is_track(ORDER_COMPLETED), F.coalesce(amount, F.lit(0)))
        .otherwise(F.lit(0))
        .cast(REVENUE_TYPE)
    )


def _per_day_from_sessions(sessions: DataFrame) -> DataFrame:
    """``event_date``, ``active_users`` and ``sessions`` from ``gold_sessions``."""
    start_day = utc_date(F.col("session_start"))
    days = sessions.select(
        "user_key",
        start_day.alias("_start_day"),
        F.explode(F.sequence(start_day, utc_date(F.col("session_end")))).alias("event_date"),
    )
    return days.groupBy("event_date").agg(
        F.count_distinct("user_key").alias("active_users"),
        F.count_if(F.col("event_date") == F.col("_start_day")).alias("sessions"),
    )


def build_daily_metrics(events: DataFrame, sessions: DataFrame) -> DataFrame:
    """Silver events (whole history) + ``gold_sessions`` -> one row per date (the contract's
    ``DAILY_METRICS_COLUMNS``)."""
    per_day = (
        activity_events(events)
        .groupBy("event_date")
        .agg(
            F.count_if(is_page()).alias("page_views"),
            *[F.count_if(is_track(step)).alias(column) for step, column in FUNNEL_COLUMNS.items()],
            F.sum(order_revenue()).alias("_revenue"),
        )
    )
    joined = per_day.join(_per_day_from_sessions(sessions), on="event_date", how="full")
    return joined.select(
        "event_date",
        *[F.coalesce(F.col(c), F.lit(0)).cast("bigint").alias(c) for c in _COUNT_COLUMNS],
        F.coalesce(F.col("_revenue"), F.lit(0)).try_cast(REVENUE_TYPE).alias("revenue"),
    )
