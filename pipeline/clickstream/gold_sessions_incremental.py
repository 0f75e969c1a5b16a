"""Incremental sessions: what one micro-batch of new Silver rows changes in ``gold_sessions``.

:func:`apply_sessions_batch` answers, for a batch, which sessions to write and which to delete so
that the sessions table equals :func:`clickstream.gold_sessions.build_sessions` over all of Silver,
while reading only the identities the batch touches, around the times it touches them.

How (the proof that it is exact is the property test against the full recompute):

1. **Links.** The links table holds, per anonymous key, the user it is linked to and the event
   that made the link (:func:`clickstream.gold_sessions.link_records`). A batch event carrying both
   keys that is earlier than the stored link (or the first for its key) replaces it.
2. **Touched events.** The batch's activity events, under their identity with the new links;
   and, for every anonymous key whose link changed user, all of that key's anonymous activity
   events in Silver, once under the old identity (they leave it) and once under the new one
   (they join it). A relink is rare (a visitor's first identify) and moves history: its cost is
   the moved history, not the batch.
3. **Regions.** Per touched identity, the sessions already stored that overlap
   ``[first touched - 30 min, last touched + 30 min]`` and the touched events span one interval
   ``[lo, hi]``. Stored sessions of one identity are 30 minutes or more apart and a touched event
   is more than 30 minutes from every stored session outside the interval, so nothing outside
   ``[lo, hi]`` is within 30 minutes of it: the interval is bounded by session gaps.
4. **Recompute.** Silver's activity events of that identity inside ``[lo, hi]`` are sessionized
   with the code of the full recompute (:func:`clickstream.gold_sessions.sessionize`). Silver is the
   source of truth, so a re-delivered batch or a retried handler gives the same answer. The old
   sessions of the region that are not rewritten with the same ``session_id`` are deleted.

The cost is the batch, plus the touched identities' stored sessions and Silver events within
their regions: bounded by how late the batch's events are (a late event's region starts at its
own time; an event later than the dedupe horizon still joins its session, as on the full
recompute), not by the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from clickstream.contract import IDENTITY, IDENTITY_INPUT_COLUMNS, LINK_COLUMNS, SESSION_COLUMNS
from clickstream.gold_sessions import (
    SESSION_GAP_MINUTES,
    activity_events,
    link_records,
    resolve_identity,
    sessionize,
)


def _gap() -> Column:
    return F.expr(f"INTERVAL {SESSION_GAP_MINUTES} MINUTES")


@dataclass(frozen=True)
class SessionsChange:
    """What one batch changes.

    ``upserts``: sessions to write (``SESSION_COLUMNS``, keyed by ``session_id``);
    ``deletes``: stored sessions that no longer exist (``session_id``, ``user_key``);
    ``link_upserts``: links to write (``LINK_COLUMNS``, keyed by ``anonymous_key``);
    ``reads``: the inputs as filtered for this batch, by name (what a run reads; benchmarks
    count them); ``since_micros``: no upserted or deleted session starts before this instant
    (epoch microseconds), so the MERGE may skip older files; None when no session changes.
    """

    upserts: DataFrame
    deletes: DataFrame
    link_upserts: DataFrame
    reads: dict[str, DataFrame]
    since_micros: int | None


def _link_order(prefix: str) -> Column:
    return F.struct(
        F.col(f"{prefix}link_ts"), F.col(f"{prefix}link_event_id"), F.col(f"{prefix}user_key")
    )


def link_changes(links: DataFrame, batch: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(links to write, relinks): the batch's links earlier than the stored ones.

    Relinks are the anonymous keys whose identity changes: ``anonymous_key``, ``old_identity``
    (the old linked user, or the key itself if it was never linked), ``new_identity``.
    """
    candidates = link_records(batch)
    stored = links.join(candidates.select("anonymous_key"), "anonymous_key", "left_semi").select(
        "anonymous_key", *(F.col(c).alias(f"_old_{c}") for c in LINK_COLUMNS[1:])
    )
    compared = candidates.join(stored, "anonymous_key", "left")
    better = compared.where(
        F.col("_old_user_key").isNull() | (_link_order("") < _link_order("_old_"))
    )
    relinks = better.where(~F.col("user_key").eqNullSafe(F.col("_old_user_key"))).select(
        "anonymous_key",
        F.coalesce("_old_user_key", "anonymous_key").alias("old_identity"),
        F.col("user_key").alias("new_identity"),
    )
    return better.select(*LINK_COLUMNS), relinks


def _links_after(links: DataFrame, link_upserts: DataFrame, keys: DataFrame) -> DataFrame:
    """The links of ``keys`` (anonymous keys) once ``link_upserts`` is written."""
    wanted = links.join(keys, "anonymous_key", "left_semi")
    kept = wanted.join(link_upserts, "anonymous_key", "left_anti")
    return kept.unionByName(link_upserts.join(keys, "anonymous_key", "left_semi"))


def _anonymous_keys(frame: DataFrame) -> DataFrame:
    return frame.where(F.col("anonymous_key").isNotNull()).select("anonymous_key").distinct()


def _touched(
    batch: DataFrame,
    silver: DataFrame,
    links: DataFrame,
    link_upserts: DataFrame,
    relinks: DataFrame,
) -> tuple[DataFrame, dict[str, DataFrame]]:
    """(identity, event_ts) of every touched activity event, and the inputs read for it."""
    batch_links = _links_after(links, link_upserts, _anonymous_keys(batch))
    new_events = activity_events(resolve_identity(batch, batch_links)).select(IDENTITY, "event_ts")
    moved = activity_events(
        silver.where(F.col("user_key").isNull()).join(
            relinks.select("anonymous_key"), "anonymous_key", "left_semi"
        )
    )
    moved_events = moved.join(relinks, "anonymous_key").select(
        F.explode(F.array("old_identity", "new_identity")).alias(IDENTITY), "event_ts"
    )
    touched = new_events.unionByName(moved_events).where(F.col(IDENTITY).isNotNull())
    return touched, {"batch_links": batch_links, "silver_moved": moved}


def _regions(touched: DataFrame, sessions: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(regions: identity, lo, hi; the stored sessions inside them)."""
    bounds = touched.groupBy(IDENTITY).agg(
        F.min("event_ts").alias("_first"), F.max("event_ts").alias("_last")
    )
    overlapping = sessions.join(bounds, (sessions["user_key"] == bounds[IDENTITY]), "inner").where(
        (F.col("session_end") >= F.col("_first") - _gap())
        & (F.col("session_start") <= F.col("_last") + _gap())
    )
    stored = overlapping.groupBy(IDENTITY).agg(
        F.min("session_start").alias("_start"), F.max("session_end").alias("_end")
    )
    regions = bounds.join(stored, IDENTITY, "left").select(
        IDENTITY,
        F.least("_first", "_start").alias("lo"),
        F.greatest("_last", "_end").alias("hi"),
    )
    return regions, overlapping.select(*SESSION_COLUMNS)


def _envelope(regions: DataFrame) -> tuple[int, int] | None:
    """The regions' time range in epoch microseconds (the step's one action)."""
    row = regions.agg(
        F.unix_micros(F.min("lo")).alias("lo"), F.unix_micros(F.max("hi")).alias("hi")
    ).first()
    return None if row is None or row["lo"] is None else (row["lo"], row["hi"])


def _region_events(
    silver: DataFrame,
    links: DataFrame,
    link_upserts: DataFrame,
    regions: DataFrame,
    envelope: tuple[int, int],
) -> tuple[DataFrame, dict[str, DataFrame]]:
    """Activity events of each region's identity within it, and the inputs read for them."""
    identities = regions.select(IDENTITY)
    # Anonymous keys whose events may belong to a region's identity: linked to it before or
    # after this batch, or the identity itself when it is an anonymous key.
    linked = (
        links.unionByName(link_upserts)
        .join(identities, F.col("user_key") == F.col(IDENTITY), "left_semi")
        .select("anonymous_key")
        .unionByName(identities.select(F.col(IDENTITY).alias("anonymous_key")))
        .distinct()
    )
    # A literal time range lets the table's file statistics skip everything else.
    lo, hi = (F.timestamp_micros(F.lit(bound)) for bound in envelope)
    in_range = silver.where(F.col("event_ts").between(lo, hi))
    candidates = in_range.join(
        identities, F.col("user_key") == F.col(IDENTITY), "left_semi"
    ).unionByName(
        in_range.where(F.col("user_key").isNull()).join(linked, "anonymous_key", "left_semi")
    )
    region_links = _links_after(links, link_upserts, _anonymous_keys(candidates))
    identified = activity_events(resolve_identity(candidates, region_links))
    inside = identified.join(regions, IDENTITY).where(
        F.col("event_ts").between(F.col("lo"), F.col("hi"))
    )
    return inside.select(*IDENTITY_INPUT_COLUMNS, IDENTITY), {
        "silver_regions": candidates,
        "region_links": region_links,
    }


def apply_sessions_batch(
    sessions: DataFrame, links: DataFrame, silver: DataFrame, batch: DataFrame
) -> SessionsChange:
    """The change one batch of new Silver rows makes to the sessions and links tables.

    ``sessions`` and ``links`` are the stored tables (``SESSION_COLUMNS``, ``LINK_COLUMNS``);
    ``silver`` is ``silver_events`` holding at least the batch; ``batch`` the new rows.
    Runs its work when called (the regions' time range is needed as a literal) and returns
    materialised changes; ``reads`` stay lazy.
    ``upserts`` and ``deletes`` only hold sessions starting at ``since_micros`` or later: a
    region starts at its earliest touched event or stored session, whichever is first.
    """
    batch = batch.select(*IDENTITY_INPUT_COLUMNS)
    silver = silver.select(*IDENTITY_INPUT_COLUMNS)
    # Small intermediate results are materialised once (``localCheckpoint``): every later step
    # and both MERGEs read them, and recomputing them would read the inputs again each time.
    link_upserts, relinks = (frame.localCheckpoint() for frame in link_changes(links, batch))
    touched, touched_reads = _touched(batch, silver, links, link_upserts, relinks)
    regions, stored = (frame.localCheckpoint() for frame in _regions(touched, sessions))
    envelope = _envelope(regions)
    region_reads: dict[str, DataFrame]
    if envelope is None:  # nothing touched a session (no activity, no moved history)
        events, region_reads = resolve_identity(silver.limit(0), links.limit(0)), {}
    else:
        events, region_reads = _region_events(silver, links, link_upserts, regions, envelope)
    upserts = sessionize(events).localCheckpoint()
    deletes = stored.select("session_id", "user_key").join(
        upserts.select("session_id"), "session_id", "left_anti"
    )
    reads = {"batch": batch, **touched_reads, "sessions": stored, **region_reads}
    since = None if envelope is None else envelope[0]
    return SessionsChange(upserts, deletes, link_upserts, reads, since)


def apply_change(table: DataFrame, change_upserts: DataFrame, deletes: DataFrame, key: str):
    """``table`` after deleting ``deletes`` and upserting ``change_upserts`` by ``key``.

    The in-memory equivalent of the sink's MERGE (tests and benchmarks; on Databricks the
    MERGE in :mod:`clickstream.gold_sessions_sink` does this in the table).
    """
    removed = change_upserts.select(key).unionByName(deletes.select(key))
    return table.join(removed, key, "left_anti").unionByName(change_upserts)
