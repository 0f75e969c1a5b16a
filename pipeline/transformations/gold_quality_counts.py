"""gold_quality_counts: per UTC ingestion date, rows received, quarantined (per rule), accepted.

Reads Bronze and the quarantine (raw zone) and Silver by their contract names through the runtime
adapter; publishes counts only.
"""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import (
    BRONZE_EVENTS,
    GOLD_QUALITY_COUNTS,
    SILVER_EVENTS,
    SILVER_QUARANTINE,
)
from clickstream.gold_quality_daily import quality_counts

rt = runtime.current(spark)


@dp.materialized_view(
    name=GOLD_QUALITY_COUNTS,
    comment=(
        "Per UTC ingestion date (counts only, no row content): rows received in Bronze, "
        "quarantined in total and per Silver rule (failed_<rule>), accepted into Silver."
    ),
    table_properties={"quality": "gold"},
    **rt.incremental_refresh(),
    **rt.clustering(["ingest_date"]),
)
def gold_quality_counts() -> DataFrame:
    return quality_counts(
        spark.read.table(rt.raw_table(BRONZE_EVENTS)),
        spark.read.table(rt.raw_table(SILVER_QUARANTINE)),
        spark.read.table(SILVER_EVENTS),
    )
