"""silver_events: valid events, one per messageId, UTC timestamps, PII as keyed hashes."""

from pyspark import pipelines as dp

from clickstream import pii_key, runtime
from clickstream.contract import BRONZE_EVENTS, CLUSTER_BY, SILVER_EVENTS
from clickstream.silver_events import (
    SILVER_SPARK_CONF,
    build_silver_events,
    read_with_ingest_watermark,
)

rt = runtime.current(spark)
# Read once, when the pipeline registers its datasets: a missing, unresolved or short key on
# Databricks stops the update here, before any row is hashed.
key = pii_key.resolve(rt)


@dp.table(
    name=SILVER_EVENTS,
    comment="Clickstream events: deduplicated by messageId, UTC, PII replaced by HMAC-SHA-256.",
    table_properties={"quality": "silver", **rt.incremental_source()},
    cluster_by=list(CLUSTER_BY[SILVER_EVENTS]),
    # A local speed setting: Databricks gets none (serverless takes few Spark settings).
    spark_conf=None if rt.is_databricks else SILVER_SPARK_CONF,
)
def silver_events():
    rows = read_with_ingest_watermark(spark, rt, rt.raw_table(BRONZE_EVENTS))
    # The whole Bronze table, read as a batch: which copy of an event is first (clickstream.dedupe).
    history = spark.read.table(rt.raw_table(BRONZE_EVENTS))
    return build_silver_events(rows, key, history)
