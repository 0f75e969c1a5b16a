"""gold_daily_identities: one row per UTC date and active identity, with its sessions started."""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import GOLD_DAILY_IDENTITIES, GOLD_SESSION_STARTS
from clickstream.gold_daily_metrics import daily_identities

rt = runtime.current(spark)


@dp.materialized_view(
    comment="Per UTC event date, each identity with an activity event and the sessions it started.",
    **rt.gold_view(GOLD_DAILY_IDENTITIES),
)
def gold_daily_identities() -> DataFrame:
    return daily_identities(spark.read.table(GOLD_SESSION_STARTS))
