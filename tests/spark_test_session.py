"""The test SparkSession's settings, and why each differs from what the pipeline runs with.

Tests run Spark as production does: every setting here either equals the pipeline's (the
``spark.*`` keys of ``pipeline/spark-pipeline.yml``'s configuration, what ``clickstream-local
run`` passes the Spark Connect server) or is listed in :data:`TEST_ONLY` with the reason it cannot
change a result. ``tests/pipeline/test_spark_parity.py`` enforces it.
"""

from __future__ import annotations

MASTER = "local[2]"
SETTINGS = {
    "spark.app.name": "clickstream-tests",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.extraJavaOptions": "-Dlog4j2.level=ERROR",
    "spark.sql.codegen.wholeStage": "false",
}

# Settings in which the test session and a local pipeline run may differ, and why that is safe.
TEST_ONLY = {
    "spark.master": "cores only: the pipeline uses every core (local[*]), tests two",
    "spark.app.name": "a label in logs",
    "spark.ui.showConsoleProgress": "no progress bar in test output",
    "spark.driver.extraJavaOptions": "log level of the test JVM",
    "spark.sql.catalogImplementation": "where table metadata lives (the run's Hive metastore)",
    "spark.sql.warehouse.dir": "where the run's tables live",
    "spark.hadoop.javax.jdo.option.ConnectionURL": "the run's metastore database",
    "spark.sql.artifact.isolation.enabled": (
        "set to false by PySpark's own SparkContext (pyspark/core/context.py, DEFAULT_CONFIGS) "
        "so added .py files work: which artifacts a session sees, nothing a query computes"
    ),
    "spark.sql.codegen.wholeStage": (
        "speed only: tiny inputs spend their time compiling fused Java per plan (about a third of "
        "the Spark tier, measured); operators then run their own generated code. Spark's "
        "SQLQueryTestSuite runs every golden query with whole-stage codegen on and off and "
        "expects the same rows; the e2e tier runs the pipeline with it on"
    ),
    "spark.sql.optimizer.enableJsonExpressionOptimization": (
        "silver_events' flow setting (SILVER_SPARK_CONF): a local speed setting that changes the "
        "plan's shape, not its rows"
    ),
}
