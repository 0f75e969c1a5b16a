"""gold_session_starts: each activity event's stitched identity and whether it opens a session."""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import GOLD_IDENTITY_LINKS, GOLD_SESSION_STARTS, SILVER_EVENTS
from clickstream.gold_daily_metrics import session_starts

rt = runtime.current(spark)


@dp.materialized_view(
    comment=(
        "One row per activity event with an identity: event_date, identity (stitched) and "
        "starts_session (the identity's previous event is missing or 30 minutes back)."
    ),
    **rt.gold_view(GOLD_SESSION_STARTS),
)
def gold_session_starts() -> DataFrame:
    return session_starts(spark.read.table(SILVER_EVENTS), spark.read.table(GOLD_IDENTITY_LINKS))
