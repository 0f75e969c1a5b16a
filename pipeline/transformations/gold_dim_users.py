"""gold_dim_users: SCD Type 2 history of user attributes from identify events.

On Databricks, AUTO CDC: a streaming view of identify change records feeds
``create_auto_cdc_flow`` into a streaming table. Open-source Spark cannot run AUTO CDC (parquet
has no MERGE), so locally a materialized view computes the same rows from the identify history.
"""

from pyspark import pipelines as dp
from pyspark.sql import DataFrame

from clickstream import runtime
from clickstream.contract import CLUSTER_BY, GOLD_DIM_USERS, SILVER_EVENTS
from clickstream.gold_dim_users import (
    CHANGES_VIEW,
    COMMENT,
    TABLE_PROPERTIES,
    auto_cdc_arguments,
    build_dim_users,
    identify_changes,
)
from clickstream.silver_events import stream_skipping_deletes

rt = runtime.current(spark)

if rt.is_databricks:

    @dp.temporary_view(name=CHANGES_VIEW, comment="Identify events as SCD2 change records.")
    def gold_dim_users_changes() -> DataFrame:
        # The erasure job deletes from Silver: skip its commits (the job deletes here too).
        return identify_changes(stream_skipping_deletes(spark, rt, SILVER_EVENTS))

    dp.create_streaming_table(
        name=GOLD_DIM_USERS,
        comment=COMMENT,
        table_properties=dict(TABLE_PROPERTIES),
        **rt.clustering(CLUSTER_BY[GOLD_DIM_USERS]),
    )
    dp.create_auto_cdc_flow(**auto_cdc_arguments())

else:

    @dp.materialized_view(
        name=GOLD_DIM_USERS,
        comment=COMMENT + " Local stand-in for AUTO CDC: recomputed from the identify history.",
        table_properties=dict(TABLE_PROPERTIES),
        **rt.clustering(CLUSTER_BY[GOLD_DIM_USERS]),
    )
    def gold_dim_users() -> DataFrame:
        return build_dim_users(spark.read.table(SILVER_EVENTS))
