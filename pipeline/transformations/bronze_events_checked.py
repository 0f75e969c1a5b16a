"""bronze_events_checked: Bronze rows with Silver's rules evaluated once per row.

Adds ``is_quarantined`` and ``failed_rules``; ``silver_events`` and ``silver_quarantine`` only
filter on the verdict. On Databricks a streaming table in the raw schema (it holds raw rows) with
the null-safe rules declared by ``dp.expect_all``: a table is computed once, so each row's
pass/fail counts reach the event log once (a view would be evaluated again inside each flow that
reads it: Databricks' quarantine pattern, "Expectation recommendations and advanced patterns").
Locally, where no expectations exist, a temporary view with the same columns: nothing is counted,
and the rows are not written a second time.
"""

from pyspark import pipelines as dp

from clickstream import runtime, silver
from clickstream.contract import BRONZE_EVENTS, BRONZE_EVENTS_CHECKED
from clickstream.rules import SILVER_RULES, null_safe

rt = runtime.current(spark)
COMMENT = "Bronze rows with Silver's rules evaluated once: is_quarantined, failed_rules."


def bronze_events_checked():
    return silver.check_rules(spark.readStream.table(rt.raw_table(BRONZE_EVENTS)))


if rt.is_databricks:
    dp.table(
        name=rt.raw_table(BRONZE_EVENTS_CHECKED),
        comment=COMMENT + " Restricted raw zone.",
        table_properties={"quality": "bronze"},
    )(dp.expect_all(null_safe(SILVER_RULES))(bronze_events_checked))
else:
    dp.temporary_view(name=BRONZE_EVENTS_CHECKED, comment=COMMENT)(bronze_events_checked)
