"""gold_sessions: sessions per person (30 minutes of inactivity), over the whole Silver history."""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream.contract import GOLD_SESSIONS, SILVER_EVENTS
from clickstream.runtime import current
from clickstream.sessions import build_sessions


@dp.materialized_view(
    name=GOLD_SESSIONS,
    comment=(
        "Sessions per person (user_key, or the anonymous key never linked to a user), closed "
        "by 30 minutes of inactivity; entry/exit page, duration, counts, conversion (an Order "
        "Completed). Recomputed over the whole Silver history, so late events join their session."
    ),
    table_properties={"quality": "gold"},
    **current(spark).clustering(["user_key", "session_start"]),
)
def gold_sessions() -> DataFrame:
    return build_sessions(spark.read.table(SILVER_EVENTS))
