"""gold_daily_counts: per UTC date, the sums behind gold_daily_metrics."""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import GOLD_DAILY_COUNTS, GOLD_DAILY_IDENTITIES, SILVER_EVENTS
from clickstream.gold_daily_metrics import daily_counts

rt = runtime.current(spark)


@dp.materialized_view(
    comment=(
        "Per UTC event date: active users, sessions started, page views, funnel steps and "
        "revenue as sums (revenue at the sum's precision); gold_daily_metrics types them."
    ),
    **rt.gold_view(GOLD_DAILY_COUNTS),
)
def gold_daily_counts() -> DataFrame:
    return daily_counts(spark.read.table(SILVER_EVENTS), spark.read.table(GOLD_DAILY_IDENTITIES))
