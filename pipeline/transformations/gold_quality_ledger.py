"""gold_quality_ledger: one row per Bronze row (ingestion date, event id, failed rules), kept.

Streams Bronze (skipping the delete commits of retention and erasure on Databricks) and is never
rebuilt: the counts of days whose raw rows retention deleted live here. Published: no row
content.
"""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import BRONZE_EVENTS, GOLD_QUALITY_LEDGER
from clickstream.gold_quality_daily import LEDGER_TABLE_PROPERTIES, quality_ledger
from clickstream.silver_events import stream_skipping_deletes

rt = runtime.current(spark)


@dp.table(
    name=GOLD_QUALITY_LEDGER,
    comment=(
        "One row per Bronze row, kept after raw retention (counts only, no row content): UTC "
        "ingestion date, event_id, the Silver rules the row failed."
    ),
    table_properties={**LEDGER_TABLE_PROPERTIES, **rt.incremental_source()},
    **rt.clustering(["ingest_date"]),
)
def gold_quality_ledger() -> DataFrame:
    return quality_ledger(stream_skipping_deletes(spark, rt, rt.raw_table(BRONZE_EVENTS)))
