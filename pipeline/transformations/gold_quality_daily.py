"""gold_quality_daily: per UTC ingestion date, rows in, quarantined per rule, accepted, duplicates.

A full refresh on purpose: it reshapes gold_quality_counts, one row per day.
"""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import GOLD_QUALITY_COUNTS, GOLD_QUALITY_DAILY
from clickstream.gold_quality_daily import quality_daily

rt = runtime.current(spark)


@dp.materialized_view(
    name=GOLD_QUALITY_DAILY,
    comment=(
        "Data quality per UTC ingestion date (counts only, no row content): rows received in "
        "Bronze, quarantined per Silver rule and in total, accepted into Silver, and duplicates "
        "removed; received = quarantined + accepted + duplicates."
    ),
    table_properties={"quality": "gold"},
    **rt.full_refresh(),
    **rt.clustering(["ingest_date"]),
)
def gold_quality_daily() -> DataFrame:
    return quality_daily(spark.read.table(GOLD_QUALITY_COUNTS))
