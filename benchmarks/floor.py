"""The floor: a plain PySpark job that reads the landing files and writes them as parquet.

    python -m benchmarks.floor --landing DIR --out DIR [--schema explicit|infer|text]

Same files as the pipeline (plain and ``.gz`` JSON lines, subfolders included), same local[2]
master, one fresh JVM: what any Spark job on this data costs before the pipeline adds anything.
The default reads JSON with the Segment top-level fields as strings (the columns Bronze keeps,
nested objects as their JSON text), so no inference pass; ``infer`` lets Spark infer the schema
(an extra pass over every file and a wide nested schema: slower than the pipeline itself on this
data), ``text`` writes the raw lines (the cheapest possible copy).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SCHEMAS = ("explicit", "infer", "text")


def run_floor(landing: Path, out: Path, schema: str = "explicit", driver_memory: str = "1g") -> int:
    """Read every JSON-lines file under ``landing``, write parquet to ``out``; return rows."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    from clickstream.schema import BRONZE_RAW_SCHEMA

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
        reader = spark.read.option("recursiveFileLookup", "true")
        if schema == "text":
            events = reader.text(landing.as_uri())
        elif schema == "infer":
            events = reader.json(landing.as_uri())
        else:
            events = reader.schema(BRONZE_RAW_SCHEMA).json(landing.as_uri())
        events.write.mode("overwrite").parquet(out.as_uri())
        return spark.read.parquet(out.as_uri()).count()
    finally:
        spark.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.floor",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--landing", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--schema", choices=SCHEMAS, default="explicit")
    parser.add_argument("--driver-memory", default="1g")
    args = parser.parse_args(argv)
    rows = run_floor(args.landing.resolve(), args.out.resolve(), args.schema, args.driver_memory)
    print(f"floor ({args.schema}): {rows} rows written as parquet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
