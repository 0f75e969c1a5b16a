"""The peer: the pipeline's work as a plain PySpark batch job, what one would write by hand.

    python -m benchmarks.peer --landing DIR --out DIR [--driver-memory 1g]

One fresh process, ``local[*]``, the same driver memory and session settings as the pipeline
(the spec template's ``spark.*`` configuration and Silver's flow settings). It composes the
project's own plain functions as batch over the same landing files and writes every table as
parquet, each layer read back from its parquet by the next, as the pipeline's tables are:

Bronze (``parse_raw_lines`` over ``spark.read.text``), Silver (rules, columns and hashes, then
``dropDuplicates(["event_id"])``: for one batch the same rows as the stream's first arrival
within the horizon), the quarantine, the three Gold tables and gold_quality_daily. No streaming,
no checkpoints, no pipeline graph: the difference to ``clickstream-local run`` is what the
declarative pipeline costs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import yaml

from clickstream_cli.pipelines_launch import DEFAULT_DRIVER_MEMORY


def session_settings() -> dict[str, str]:
    """The ``spark.*`` settings the pipeline runs with: the spec template's and Silver's."""
    from clickstream.silver_events import SILVER_SPARK_CONF

    spec = Path(__file__).resolve().parent.parent / "pipeline" / "spark-pipeline.yml"
    configuration = yaml.safe_load(spec.read_text()).get("configuration", {})
    settings = {k: str(v) for k, v in configuration.items() if k.startswith("spark.")}
    return {**settings, **SILVER_SPARK_CONF}


def run_peer(landing: Path, out: Path, driver_memory: str = DEFAULT_DRIVER_MEMORY) -> dict:
    """Bronze -> Silver + quarantine -> Gold over ``landing`` into ``out``; rows per table."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql import functions as F

    from clickstream import contract, pii_key, runtime
    from clickstream.bronze_events import ingest_lines
    from clickstream.gold_daily_metrics import build_daily_metrics
    from clickstream.gold_dim_users import build_dim_users
    from clickstream.gold_quality_daily import build_quality_daily
    from clickstream.gold_sessions import build_sessions
    from clickstream.silver_events import quarantine_rows, to_silver_columns, valid_rows

    builder = (
        SparkSession.builder.master("local[*]")
        .appName("clickstream-benchmark-peer")
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    for key, value in session_settings().items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    rt = runtime.from_conf(
        {
            runtime.LANDING_PATH_KEY: landing.as_uri(),
            runtime.PII_KEY_KEY: os.environ.get("CLICKSTREAM_PII_KEY"),
        }
    )

    def write(name: str, frame: DataFrame) -> DataFrame:
        path = (out / name).as_uri()
        started = time.monotonic()
        frame.write.mode("overwrite").parquet(path)
        print(f"peer: {name} written in {time.monotonic() - started:.1f} s", flush=True)
        return spark.read.parquet(path)

    try:
        lines = (
            spark.read.option("recursiveFileLookup", "true")
            .text(landing.as_uri())
            .select(
                "value",
                F.col("_metadata.file_path").alias(contract.SOURCE_FILE),
                F.current_timestamp().alias(contract.INGESTED_AT),
            )
        )
        bronze = write(contract.BRONZE_EVENTS, ingest_lines(lines))  # rules evaluated here
        write(contract.SILVER_QUARANTINE, quarantine_rows(bronze))
        silver = write(
            contract.SILVER_EVENTS,
            to_silver_columns(valid_rows(bronze), pii_key.resolve(rt)).dropDuplicates(["event_id"]),
        )
        write(contract.GOLD_DIM_USERS, build_dim_users(silver))
        write(contract.GOLD_SESSIONS, build_sessions(silver))
        write(contract.GOLD_DAILY_METRICS, build_daily_metrics(silver))
        write(contract.GOLD_QUALITY_DAILY, build_quality_daily(bronze, silver))
        return {
            name: spark.read.parquet((out / name).as_uri()).count()
            for name in contract.PIPELINE_TABLES
        }
    finally:
        spark.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.peer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--landing", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--driver-memory", default=DEFAULT_DRIVER_MEMORY)
    args = parser.parse_args(argv)
    rows = run_peer(args.landing.resolve(), args.out.resolve(), args.driver_memory)
    print("peer: " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
