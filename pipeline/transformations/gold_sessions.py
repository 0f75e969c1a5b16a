"""gold_sessions: sessions per person (30 minutes of inactivity).

On Databricks, incremental: a ForEachBatch sink fed by an append flow over ``silver_events``
merges what each micro-batch changes (``clickstream.gold_sessions_sink``). Locally (parquet has no
MERGE) a materialized view recomputes the same rows over the whole Silver history; the property
test of ``clickstream.gold_sessions_incremental`` proves the two agree.
"""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import (
    GOLD_SESSION_LINKS,
    GOLD_SESSIONS,
    IDENTITY_INPUT_COLUMNS,
    SILVER_EVENTS,
)
from clickstream.gold_sessions import build_sessions
from clickstream.gold_sessions_sink import write_sessions_batch
from clickstream.silver_events import stream_skipping_deletes

SINK = "gold_sessions_sink"
rt = runtime.current(spark)

if rt.is_databricks:

    @dp.foreach_batch_sink(name=SINK)
    def gold_sessions_sink(batch: DataFrame, batch_id: int) -> None:
        write_sessions_batch(
            batch, batch_id, silver=SILVER_EVENTS, sessions=GOLD_SESSIONS, links=GOLD_SESSION_LINKS
        )

    # Databricks' append_flow takes a comment; open-source pyspark's signature does not.
    @dp.append_flow(  # type: ignore[call-arg]
        target=SINK,
        name="gold_sessions_from_silver",
        comment="New Silver rows; the sink merges the sessions they change into gold_sessions.",
    )
    def gold_sessions_from_silver() -> DataFrame:
        # The erasure job deletes from Silver, and from the sessions the sink merges, itself.
        stream = stream_skipping_deletes(spark, rt, SILVER_EVENTS)
        return stream.select(*IDENTITY_INPUT_COLUMNS)

else:

    @dp.materialized_view(
        comment=(
            "Sessions per person (user_key, or the anonymous key never linked to a user), closed "
            "by 30 minutes of inactivity; entry/exit page, duration, counts, conversion (an Order "
            "Completed). Recomputed over the whole Silver history, so late events join their "
            "session."
        ),
        **rt.gold_view(GOLD_SESSIONS),
    )
    def gold_sessions() -> DataFrame:
        return build_sessions(spark.read.table(SILVER_EVENTS))
