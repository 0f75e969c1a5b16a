"""bronze_events: every landed line, raw, with `_rescued_data`, `_source_file`, `_ingested_at`,
and `failed_rules`: Silver's rules evaluated once, at ingest.

On Databricks the same null-safe rules are declared here with ``dp.expect_all`` (warn: no row is
dropped), on the one table where they are evaluated, so each rule's failed count in the event
log equals the quarantine rows that name it (a view read by Silver and the quarantine would be
evaluated, and counted, once per reader). Open-source Spark has no expectations.
"""

from pyspark import pipelines as dp

from clickstream import bronze_events as bronze_logic
from clickstream import runtime
from clickstream.contract import BRONZE_EVENTS
from clickstream.rules import SILVER_RULES, null_safe

rt = runtime.current(spark)


def bronze_events():
    return bronze_logic.read_raw_events(spark, rt)


if rt.is_databricks:
    bronze_events = dp.expect_all(null_safe(SILVER_RULES))(bronze_events)

dp.table(
    name=rt.raw_table(BRONZE_EVENTS),
    comment=(
        "Raw clickstream events as they landed (restricted raw zone), with failed_rules: the "
        "Silver rules each row fails, evaluated once at ingest. Nothing is filtered."
    ),
    table_properties={**bronze_logic.TABLE_PROPERTIES, **rt.incremental_source()},
)(bronze_events)
