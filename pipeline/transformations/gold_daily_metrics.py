"""gold_daily_metrics: per UTC date, active users, sessions, page views, funnel, revenue.

A full refresh on purpose: it reads gold_daily_counts, one row per day.
"""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import GOLD_DAILY_COUNTS, GOLD_DAILY_METRICS
from clickstream.gold_daily_metrics import daily_metrics

rt = runtime.current(spark)


@dp.materialized_view(
    comment=(
        "Per UTC event date: active users, sessions started, page views, the e-commerce funnel "
        "(Product Viewed, Product Added, Checkout Started, Order Completed) and revenue "
        "(DECIMAL(18,2); missing or bad revenue counts 0). Late events count on their own date."
    ),
    **rt.gold_view(GOLD_DAILY_METRICS),
)
def gold_daily_metrics() -> DataFrame:
    return daily_metrics(spark.read.table(GOLD_DAILY_COUNTS))
