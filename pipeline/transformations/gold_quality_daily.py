"""gold_quality_daily: per UTC ingestion date, rows in, quarantined per rule, accepted, duplicates.

Reads Bronze and the quarantine (raw zone) and Silver by their contract names through the runtime
adapter; publishes counts only, so the dashboard's data-quality panel needs no raw-zone access.
"""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import (
    BRONZE_EVENTS,
    GOLD_QUALITY_DAILY,
    SILVER_EVENTS,
    SILVER_QUARANTINE,
)
from clickstream.quality_daily import build_quality_daily

rt = runtime.current(spark)


@dp.materialized_view(
    name=GOLD_QUALITY_DAILY,
    comment=(
        "Data quality per UTC ingestion date (counts only, no row content): rows received in "
        "Bronze, quarantined per Silver rule and in total, accepted into Silver, and duplicates "
        "removed; received = quarantined + accepted + duplicates."
    ),
    table_properties={"quality": "gold"},
    **rt.clustering(["ingest_date"]),
)
def gold_quality_daily() -> DataFrame:
    return build_quality_daily(
        spark.read.table(rt.raw_table(BRONZE_EVENTS)),
        spark.read.table(rt.raw_table(SILVER_QUARANTINE)),
        spark.read.table(SILVER_EVENTS),
    )
