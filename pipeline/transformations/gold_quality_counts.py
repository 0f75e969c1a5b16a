"""gold_quality_counts: per UTC ingestion date, rows received, quarantined (per rule), accepted.

Reads the quality ledger (which outlives the raw rows it counts) and Silver; publishes counts
only.
"""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import GOLD_QUALITY_COUNTS, GOLD_QUALITY_LEDGER, SILVER_EVENTS
from clickstream.gold_quality_daily import quality_counts

rt = runtime.current(spark)


@dp.materialized_view(
    name=GOLD_QUALITY_COUNTS,
    comment=(
        "Per UTC ingestion date (counts only, no row content): rows received in Bronze, "
        "quarantined in total and per Silver rule (failed_<rule>), from the quality ledger; "
        "accepted into Silver."
    ),
    table_properties={"quality": "gold"},
    **rt.incremental_refresh(),
    **rt.clustering(["ingest_date"]),
)
def gold_quality_counts() -> DataFrame:
    return quality_counts(spark.read.table(GOLD_QUALITY_LEDGER), spark.read.table(SILVER_EVENTS))
