"""Which copy of a repeated event Silver keeps: the first in an order both platforms compute.

Copies of an event (valid Bronze rows with the same trimmed ``messageId``) are ordered by

1. arrival, ``_ingested_at``: when the row reached Bronze. Bronze is never re-stamped (it is
   kept out of full refreshes), so this survives rebuilds;
2. ``_source_file``;
3. a digest of the row's raw fields (copies that tie on all three are the same line twice:
   whichever is kept, Silver gets the same row).

The first copy in this order is the one Silver keeps; every later copy is a duplicate, however
much later it arrived, for as long as the first copy is still in Bronze. The decision is a left
anti join of the rows being processed against the valid rows of the whole Bronze table (a
stream-static join: stateless, each micro-batch joined with the table as it is then). So it is a
function of Bronze alone, not of how the rows were split into micro-batches: one run over all
files, one run per file, a local rebuild (one micro-batch) and a Databricks rebuild (time buckets
of ``withEventTimeOrder``) keep the same copies. ``dropDuplicatesWithinWatermark`` alone would not:
inside one micro-batch it keeps an arbitrary copy (PySpark API reference).

Arrival is the first key because a stream cannot take back a row it has written: a copy that
arrives later can never be preferred to one Silver already holds.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from clickstream.contract import INGESTED_AT, RESCUED_DATA, SEGMENT_FIELDS, SOURCE_FILE

EVENT_KEY = "_dedupe_event_id"
DIGEST = "_dedupe_digest"
_EARLIER, _LATER = "_earlier", "_later"


def _event_key() -> Column:
    return F.trim(F.col("messageId"))


def _digest() -> Column:
    # 64 bits: two different copies of one event from one file in one arrival share a digest
    # with a chance of 2^-64; then both pass here and the final dedupe keeps either.
    return F.xxhash64(*[F.col(c) for c in (*SEGMENT_FIELDS, RESCUED_DATA)])


def with_copy_order(rows: DataFrame) -> DataFrame:
    """Bronze rows plus the dedupe key and digest (the order's third key)."""
    return rows.select("*", _event_key().alias(EVENT_KEY), _digest().alias(DIGEST))


def _precedes(earlier: str, later: str) -> Column:
    """The copy aliased ``earlier`` comes strictly before the one aliased ``later``."""
    a0, f0, d0 = (F.col(f"{earlier}.{c}") for c in (INGESTED_AT, SOURCE_FILE, DIGEST))
    a1, f1, d1 = (F.col(f"{later}.{c}") for c in (INGESTED_AT, SOURCE_FILE, DIGEST))
    return (a0 < a1) | ((a0 == a1) & ((f0 < f1) | ((f0 == f1) & (d0 < d1))))


def first_copies(rows: DataFrame, history: DataFrame) -> DataFrame:
    """``rows`` (valid Bronze rows, a stream or not) without those preceded by a copy in
    ``history`` (the valid rows of the whole Bronze table, read as a batch).

    ``history`` holds ``rows`` themselves, so copies inside one micro-batch are decided here
    too; what passes is, per event, the first copy and any exact repeat of it. The result keeps
    the columns of ``rows`` plus the two order columns (callers select what they need: ``drop``
    on a pipeline dataset's stream fails open-source Spark's first run).
    """
    earlier = with_copy_order(history).select(EVENT_KEY, INGESTED_AT, SOURCE_FILE, DIGEST)
    same_event = F.col(f"{_LATER}.{EVENT_KEY}") == F.col(f"{_EARLIER}.{EVENT_KEY}")
    return (
        with_copy_order(rows)
        .alias(_LATER)
        .join(earlier.alias(_EARLIER), same_event & _precedes(_EARLIER, _LATER), "left_anti")
    )
