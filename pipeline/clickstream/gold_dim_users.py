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
- **Sequence** = ``event_ts`` (event time), so ``__START_AT``/``__END_AT`` are timestamps: a
  version is valid from its ``__START_AT`` up to (excluded) its ``__END_AT``. AUTO CDC expects
  one update per key per sequence value; locally two identifies of one user at the very same
  instant are ordered by ``event_id`` (the later one then opens a version of zero length).
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

from clickstream.contract import GOLD_DIM_USERS

KEYS = ("user_key",)
TRACKED_COLUMNS = ("plan", "country", "email_hash")
SEQUENCE_COLUMNS = ("event_ts", "event_id")
DIM_USERS_COLUMNS = (*KEYS, *TRACKED_COLUMNS, "__START_AT", "__END_AT")

# Name of the streaming view AUTO CDC reads on Databricks.
CHANGES_VIEW = "gold_dim_users_changes"

COMMENT = (
    "SCD Type 2 history of user attributes (plan, country, email hash) from identify events, "
    "keyed by user_key; a version is valid from __START_AT up to __END_AT (null = current), "
    "both event times in UTC."
)
TABLE_PROPERTIES = {"quality": "gold"}
LOCAL_CLUSTER_BY = ["user_key"]
SEQUENCE_BY = "event_ts"


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
        *SEQUENCE_COLUMNS,
    )
    return records.where(F.coalesce(*[F.col(c) for c in TRACKED_COLUMNS]).isNotNull())


def scd2_history(changes: DataFrame) -> DataFrame:
    """Change records (whole history) -> the SCD2 rows AUTO CDC keeps (``DIM_USERS_COLUMNS``)."""
    by_user = Window.partitionBy(*KEYS).orderBy(*SEQUENCE_COLUMNS)
    tracked = F.struct(*TRACKED_COLUMNS)
    marked = changes.select(
        *KEYS,
        *TRACKED_COLUMNS,
        *SEQUENCE_COLUMNS,
        F.lag(tracked).over(by_user).alias("_previous"),
        F.lag("event_id").over(by_user).isNull().alias("_first"),
    )
    versions = marked.where(F.col("_first") | ~tracked.eqNullSafe(F.col("_previous")))
    return versions.select(
        *KEYS,
        *TRACKED_COLUMNS,
        F.col(SEQUENCE_BY).alias("__START_AT"),
        F.lead(SEQUENCE_BY).over(by_user).alias("__END_AT"),
    )


def build_dim_users(events: DataFrame) -> DataFrame:
    """Silver events (whole history) -> ``gold_dim_users`` as the local materialized view has it."""
    return scd2_history(identify_changes(events))


def auto_cdc_arguments() -> dict[str, Any]:
    """Arguments of the Databricks ``dp.create_auto_cdc_flow`` call."""
    return {
        "target": GOLD_DIM_USERS,
        "source": CHANGES_VIEW,
        "keys": list(KEYS),
        "sequence_by": SEQUENCE_BY,
        "except_column_list": list(SEQUENCE_COLUMNS),
        "stored_as_scd_type": 2,
        "track_history_column_list": list(TRACKED_COLUMNS),
    }
