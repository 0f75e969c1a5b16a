"""The Databricks writer of ``gold_sessions``: one ForEachBatch call per micro-batch of Silver.

``gold_sessions`` and its links table are plain Delta tables written here, not pipeline
datasets: "The pipeline does not track what data is written from a ForEachBatch sink", and on a
full refresh the flow's checkpoint restarts at ``batch_id`` 0 while the tables stay ("you are
responsible for managing the downstream data reset"; Databricks, "Use ForEachBatch to write to
arbitrary data sinks in pipelines"). So:

- ``batch_id == 0`` (first start or full refresh): both tables are replaced by the full
  recompute over Silver; the batch's rows are in Silver, so they are not read separately.
- any other batch: :func:`clickstream.gold_sessions_incremental.apply_sessions_batch`,
  then one MERGE
  into the sessions (upserts and deletes in one commit), then one MERGE into the links. Sessions
  first: if the links MERGE fails, the retried batch still sees the link change and moves the
  same history again (recomputing from Silver is idempotent); the other order could lose it.
"""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import DataFrame

from clickstream.contract import (
    CLUSTER_BY,
    GOLD_SESSION_LINKS,
    GOLD_SESSIONS,
    LINK_COLUMNS,
    SESSION_COLUMNS,
)
from clickstream.gold_sessions import build_sessions, link_records
from clickstream.gold_sessions_incremental import SessionsChange, apply_sessions_batch

DELETED = "_deleted"


def _merge_sql(
    target: str, keys: tuple[str, ...], columns: tuple[str, ...], deletes: bool, extra: str = ""
) -> str:
    on = " AND ".join([*(f"t.{k} = s.{k}" for k in keys), *([extra] if extra else [])])
    update = ", ".join(f"{c} = s.{c}" for c in columns)
    names = ", ".join(columns)
    values = ", ".join(f"s.{c}" for c in columns)
    lines = [f"MERGE INTO {target} AS t", "USING {changes} AS s", f"ON {on}"]
    if deletes:
        lines.append(f"WHEN MATCHED AND s.{DELETED} THEN DELETE")
    lines.append(f"WHEN MATCHED THEN UPDATE SET {update}")
    insert_when = f"WHEN NOT MATCHED AND NOT s.{DELETED}" if deletes else "WHEN NOT MATCHED"
    lines.append(f"{insert_when} THEN INSERT ({names}) VALUES ({values})")
    return "\n".join(lines)


def merge_sessions_sql(target: str, since_micros: int) -> str:
    """MERGE of :func:`session_changes` into the sessions table (``{changes}`` is the source).

    Matching on ``user_key`` and a literal lower bound of ``session_start`` lets the table's
    clustering and file statistics skip the files of other identities and of older sessions.
    """
    since = f"t.session_start >= timestamp_micros({int(since_micros)})"
    return _merge_sql(target, ("session_id", "user_key"), SESSION_COLUMNS, True, since)


def merge_links_sql(target: str) -> str:
    """MERGE of the changed links into the links table (``{changes}`` is the source)."""
    return _merge_sql(target, ("anonymous_key",), LINK_COLUMNS, deletes=False)


def session_changes(change: SessionsChange) -> DataFrame:
    """Upserts and deletes as one MERGE source: ``SESSION_COLUMNS`` plus ``_deleted``."""
    upserts = change.upserts.select(*SESSION_COLUMNS, F.lit(False).alias(DELETED))
    deletes = change.deletes.select("session_id", "user_key", F.lit(True).alias(DELETED))
    return upserts.unionByName(deletes, allowMissingColumns=True)


def _replace(frame: DataFrame, table: str, cluster_by: tuple[str, ...]) -> None:
    frame.writeTo(table).clusterBy(*cluster_by).tableProperty("quality", "gold").createOrReplace()


def write_sessions_batch(
    batch: DataFrame, batch_id: int, *, silver: str, sessions: str, links: str
) -> None:
    """The ForEachBatch handler's work for one micro-batch of ``silver_events`` rows."""
    spark = batch.sparkSession
    history = spark.read.table(silver)
    if batch_id == 0:
        _replace(build_sessions(history), sessions, CLUSTER_BY[GOLD_SESSIONS])
        _replace(link_records(history), links, CLUSTER_BY[GOLD_SESSION_LINKS])
        return
    change = apply_sessions_batch(
        spark.read.table(sessions), spark.read.table(links), history, batch
    )
    if change.since_micros is not None:
        spark.sql(
            merge_sessions_sql(sessions, change.since_micros), changes=session_changes(change)
        )
    spark.sql(merge_links_sql(links), changes=change.link_upserts)
