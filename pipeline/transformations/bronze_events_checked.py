"""bronze_events_checked: Bronze rows with Silver's rules declared as expectations.

Silver and the quarantine both read this view, so on Databricks the rules' pass/fail counts reach
the event log once per row; locally the expectations are a no-op and the split is explicit.
"""

from pyspark import pipelines as dp

from clickstream import runtime
from clickstream.contract import BRONZE_EVENTS, BRONZE_EVENTS_CHECKED
from clickstream.rules import SILVER_RULES

rt = runtime.current(spark)


@dp.temporary_view(
    name=BRONZE_EVENTS_CHECKED,
    comment="Bronze stream, watermarked on ingestion time, checked against Silver's rules.",
)
@rt.expect_all(SILVER_RULES)
def bronze_events_checked():
    return rt.read_stream_with_ingest_watermark(spark, rt.raw_table(BRONZE_EVENTS))
