"""The maintenance tasks as one command line: ``erase``, ``landing``, ``purge`` (one erasure
request) and
``retain`` (raw-data retention). Runs on Databricks serverless compute, as the pipeline's run-as
principal; ``jobs/maintenance.py`` is the file the job points at.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from clickstream import erasure_job, landing_erasure, pii_key
from clickstream.retention import retention_statements


def parse_retention(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="retain")
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--raw-schema", required=True)
    parser.add_argument("--days", type=int, required=True)
    return parser.parse_args(list(argv))


STEPS = ("erase", "landing", "purge", "retain")


def runtime_fs() -> landing_erasure.DbutilsFs:
    """``dbutils.fs`` of the Databricks runtime (imported only there, as pii_key does)."""
    from databricks.sdk.runtime import dbutils

    return dbutils.fs


def main(
    argv: Sequence[str],
    spark=None,
    read_secret: pii_key.SecretReader = pii_key.read_databricks_secret,
    fs: landing_erasure.DbutilsFs | None = None,
) -> int:
    """Run one task; ``spark``, ``read_secret`` and ``fs`` are the runtime's unless given."""
    if not argv or argv[0] not in STEPS:
        raise SystemExit(f"first argument: {', '.join(STEPS)}")
    step, rest = argv[0], argv[1:]
    if spark is None:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.getOrCreate()
    if step == "retain":
        args = parse_retention(rest)
        for statement in retention_statements(args.catalog, args.raw_schema, args.days):
            spark.sql(statement)
        return 0
    job = erasure_job.parse_args(rest)
    if step == "purge":
        erasure_job.purge(spark, job)
        return 0
    key = pii_key.check_key(
        read_secret(job.key_scope, job.key_name), f"secret {job.key_scope}/{job.key_name}"
    )
    if step == "landing":
        files = landing_erasure.DbutilsLandingFiles(
            spark, fs or runtime_fs(), landing_erasure.staging_folder(job.landing_path)
        )
        results = erasure_job.rewrite_landing(spark, job, key, files)
        print("landing files:", ", ".join(f"{r.result}={r.lines}" for r in results) or "none")
        return 0
    counts = erasure_job.erase(spark, job, key)
    print("erased rows per table:", ", ".join(f"{t}={n}" for t, n in sorted(counts.items())))
    return 0
