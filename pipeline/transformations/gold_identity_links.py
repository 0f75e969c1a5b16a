"""gold_identity_links: each anonymous key and the user it was first linked to."""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import GOLD_IDENTITY_LINKS, SILVER_EVENTS
from clickstream.gold_sessions import identity_links

rt = runtime.current(spark)


@dp.materialized_view(
    comment=(
        "Anonymous key -> linked_user_key: the user of the earliest event carrying both keys. "
        "Stitches anonymous browsing to the person for the daily metrics."
    ),
    **rt.gold_view(GOLD_IDENTITY_LINKS),
)
def gold_identity_links() -> DataFrame:
    return identity_links(spark.read.table(SILVER_EVENTS))
