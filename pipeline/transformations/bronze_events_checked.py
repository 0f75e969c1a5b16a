"""bronze_events_checked: Bronze rows with Silver's rules declared as expectations.

Silver and the quarantine both read this view. ``dp.expect_all`` exists only on Databricks (its
counts reach the event log); locally the rules are not declared and the split is explicit.
"""

from pyspark import pipelines as dp

from clickstream import runtime, silver
from clickstream.contract import BRONZE_EVENTS, BRONZE_EVENTS_CHECKED
from clickstream.rules import SILVER_RULES

rt = runtime.current(spark)


def _expectations(function):
    return dp.expect_all(dict(SILVER_RULES))(function) if rt.is_databricks else function


@dp.temporary_view(
    name=BRONZE_EVENTS_CHECKED,
    comment="Bronze stream, watermarked on ingestion time, checked against Silver's rules.",
)
@_expectations
def bronze_events_checked():
    return silver.read_with_ingest_watermark(spark, rt, rt.raw_table(BRONZE_EVENTS))
