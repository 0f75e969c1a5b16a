"""gold_dim_users: SCD Type 2 history of user attributes from identify events.

AUTO CDC on Databricks, a materialized view with the same rows locally: the runtime decides,
inside ``clickstream.dim_users.define_dim_users``.
"""

from clickstream.dim_users import define_dim_users
from clickstream.runtime import current

define_dim_users(spark, current(spark))
