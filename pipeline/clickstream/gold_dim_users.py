"""Gold dim users: SCD Type 2 history of user attributes from identify events.

Columns: ``user_key``, ``plan``, ``country``, ``email_hash``, ``__START_AT``, ``__END_AT``.

On Databricks the table is AUTO CDC's own SCD2 (``dp.create_streaming_table`` +
``dp.create_auto_cdc_flow`` from a streaming view of identify events). Open-source Spark cannot
run AUTO CDC (its parquet tables do not support MERGE), so locally a materialized view computes
the same rows from the whole identify history with window functions (:func:`scd2_history`).
``transformations/gold_dim_users.py`` declares one of the two, from the runtime; this module only
holds the plain functions and the arguments both declarations use.

Semantics, identical on both platforms:

- **Source** (:func:`identify_changes`): ``identify`` events with a ``user_key`` that carry at
  least one tracked attribute: ``traits['plan']``, ``traits['country']`` (Silver already merged
  top-level ``traits`` and ``context.traits``) or ``email_hash``. An identify with none of them
  (a bare login) says nothing about the attributes and is not a change record.
- **Sequence** = ``change_sequence`` = ``struct(event_ts, event_id)``: event time, and for two
  identifies of one user at the very same instant, the event id (unique in Silver). AUTO CDC
  needs one update per key per sequence value and breaks ties arbitrarily; with the event id in
  the sequence there are no ties, so both platforms order every record the same way. AUTO CDC
  types ``__START_AT``/``__END_AT`` as the sequence, so they are
  ``struct<event_ts timestamp, event_id string>`` here too: a version is valid from
  ``__START_AT.event_ts`` up to (excluded) ``__END_AT.event_ts``; the earlier of two same-instant
  identifies opens a version of zero length (docs/platform-notes.md, "AUTO CDC ties").
- **Versions.** Each record upserts the whole row (``ignore_null_updates`` stays at its default
  false): a null ``plan`` in a later identify replaces the earlier plan. A record whose tracked
  values equal (null-safe) those of the record just before it opens no new version. A late record
  slots into the history at its event time (splitting the version it falls into if it differs).
  Exactly one version per user is open (``__END_AT`` null).
"""

from __future__ import annotations

from typing import Any

import pyspark.sql.functions as F
from pyspark.sql import DataFrame, Window

from clickstream.contract import (
    CHANGE_SEQUENCE,
    CHANGE_SEQUENCE_FIELDS,
    DIM_USERS_KEYS,
    DIM_USERS_TRACKED,
    GOLD_DIM_USERS,
)

# Name of the streaming view AUTO CDC reads on Databricks.
CHANGES_VIEW = "gold_dim_users_changes"

COMMENT = (
    "SCD Type 2 history of user attributes (plan, country, email hash) from identify events, "
    "keyed by user_key; a version is valid from __START_AT.event_ts up to __END_AT.event_ts "
    "(null = current), event times in UTC; event_id orders identifies of the same instant."
)
TABLE_PROPERTIES = {"quality": "gold"}


def identify_changes(events: DataFrame) -> DataFrame:
    """Silver events (batch or stream) -> change records: key, tracked columns, sequence."""
    traits = F.col("traits")
    records = events.where(
        (F.col("event_type") == F.lit("identify"))
        & F.col("user_key").isNotNull()
        & F.col("event_ts").isNotNull()
    ).select(
        "user_key",
        traits.getItem("plan").alias("plan"),
        traits.getItem("country").alias("country"),
        "email_hash",
        F.struct(*CHANGE_SEQUENCE_FIELDS).alias(CHANGE_SEQUENCE),
    )
    return records.where(F.coalesce(*[F.col(c) for c in DIM_USERS_TRACKED]).isNotNull())


def scd2_history(changes: DataFrame) -> DataFrame:
    """Change records (whole history) -> the SCD2 rows AUTO CDC keeps (``DIM_USERS_COLUMNS``).

    Ordered by the same ``change_sequence`` AUTO CDC sequences by, so a tie cannot arise.
    """
    by_user = Window.partitionBy(*DIM_USERS_KEYS).orderBy(CHANGE_SEQUENCE)
    tracked = F.struct(*DIM_USERS_TRACKED)
    marked = changes.select(
        *DIM_USERS_KEYS,
        *DIM_USERS_TRACKED,
        CHANGE_SEQUENCE,
        F.lag(tracked).over(by_user).alias("_previous"),
        F.lag(CHANGE_SEQUENCE).over(by_user).isNull().alias("_first"),
    )
    versions = marked.where(F.col("_first") | ~tracked.eqNullSafe(F.col("_previous")))
    return versions.select(
        *DIM_USERS_KEYS,
        *DIM_USERS_TRACKED,
        F.col(CHANGE_SEQUENCE).alias("__START_AT"),
        F.lead(CHANGE_SEQUENCE).over(by_user).alias("__END_AT"),
    )


def build_dim_users(events: DataFrame) -> DataFrame:
    """Silver events (whole history) -> ``gold_dim_users`` as the local materialized view has it."""
    return scd2_history(identify_changes(events))


def auto_cdc_arguments() -> dict[str, Any]:
    """Arguments of the Databricks ``dp.create_auto_cdc_flow`` call."""
    return {
        "target": GOLD_DIM_USERS,
        "source": CHANGES_VIEW,
        "keys": list(DIM_USERS_KEYS),
        "sequence_by": CHANGE_SEQUENCE,
        "except_column_list": [CHANGE_SEQUENCE],
        "stored_as_scd_type": 2,
        "track_history_column_list": list(DIM_USERS_TRACKED),
    }
