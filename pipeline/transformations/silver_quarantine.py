"""silver_quarantine: every Bronze row that fails a Silver rule, with the rules it failed."""

from pyspark import pipelines as dp

from clickstream import runtime
from clickstream.contract import BRONZE_EVENTS, SILVER_QUARANTINE
from clickstream.silver_events import quarantine_rows, stream_skipping_deletes

rt = runtime.current(spark)


@dp.table(
    name=rt.raw_table(SILVER_QUARANTINE),
    comment="Rows that failed Silver's rules, kept whole with failed_rules (restricted raw zone).",
    table_properties={"quality": "quarantine", **rt.incremental_source()},
)
def silver_quarantine():
    return quarantine_rows(stream_skipping_deletes(spark, rt, rt.raw_table(BRONZE_EVENTS)))
