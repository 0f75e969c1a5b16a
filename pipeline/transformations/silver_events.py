"""silver_events: valid events, one per messageId, UTC timestamps, PII as keyed hashes."""

from pyspark import pipelines as dp

from clickstream import runtime
from clickstream.contract import BRONZE_EVENTS_CHECKED, SILVER_EVENTS
from clickstream.silver import SILVER_SPARK_CONF, build_silver_events

rt = runtime.current(spark)


@dp.table(
    name=SILVER_EVENTS,
    comment="Clickstream events: deduplicated by messageId, UTC, PII replaced by HMAC-SHA-256.",
    table_properties={"quality": "silver"},
    spark_conf=SILVER_SPARK_CONF,
)
def silver_events():
    return build_silver_events(spark.readStream.table(BRONZE_EVENTS_CHECKED), rt.pii_key)
