"""The floor: a plain PySpark job that reads the landing files and writes them as parquet.

    python -m benchmarks.floor --landing DIR --out DIR

Same files as the pipeline (plain and ``.gz`` JSON lines, subfolders included), same local[2]
master, one fresh JVM: what any Spark job on this data costs before the pipeline adds anything.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def run_floor(landing: Path, out: Path, driver_memory: str = "1g") -> int:
    """Read every JSON-lines file under ``landing``, write parquet to ``out``; return rows."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("clickstream-benchmark-floor")
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        events = spark.read.option("recursiveFileLookup", "true").json(landing.as_uri())
        events.write.mode("overwrite").parquet(out.as_uri())
        return spark.read.parquet(out.as_uri()).count()
    finally:
        spark.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor", description=__doc__)
    parser.add_argument("--landing", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--driver-memory", default="1g")
    args = parser.parse_args(argv)
    rows = run_floor(args.landing.resolve(), args.out.resolve(), args.driver_memory)
    print(f"floor: {rows} rows written as parquet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
