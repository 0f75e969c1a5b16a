"""bronze_events: every landed line, raw, with `_rescued_data`, `_source_file`, `_ingested_at`."""

from pyspark import pipelines as dp

from clickstream import bronze, runtime
from clickstream.contract import BRONZE_EVENTS

rt = runtime.current(spark)


@dp.table(
    name=rt.raw_table(BRONZE_EVENTS),
    comment="Raw clickstream events as they landed (restricted raw zone). Nothing is filtered.",
    table_properties={"quality": "bronze", **rt.incremental_source()},
)
def bronze_events():
    return bronze.read_raw_events(spark, rt)
