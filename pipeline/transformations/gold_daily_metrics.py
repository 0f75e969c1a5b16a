"""gold_daily_metrics: per UTC date, active users, sessions, page views, funnel, revenue.

Reads ``gold_sessions``: that view is defined first (the local spec lists it before this file).
"""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream.contract import GOLD_DAILY_METRICS, GOLD_SESSIONS, SILVER_EVENTS
from clickstream.daily_metrics import build_daily_metrics
from clickstream.runtime import current


@dp.materialized_view(
    name=GOLD_DAILY_METRICS,
    comment=(
        "Per UTC event date: active users, sessions started, page views, the e-commerce funnel "
        "(Product Viewed, Product Added, Checkout Started, Order Completed) and revenue "
        "(DECIMAL(18,2); missing or bad revenue counts 0). Late events count on their own date."
    ),
    table_properties={"quality": "gold"},
    **current(spark).clustering(["event_date"]),
)
def gold_daily_metrics() -> DataFrame:
    return build_daily_metrics(spark.read.table(SILVER_EVENTS), spark.read.table(GOLD_SESSIONS))
