"""The pipeline's own streaming functions, run flow by flow in a plain SparkSession.

A :class:`Medallion` is Bronze and Silver as the local pipeline runs them: the file stream over a
landing folder parsed by ``parse_raw_lines`` into a parquet Bronze table, then Silver streamed
from Bronze with the pipeline's watermark (``read_with_ingest_watermark``), the rules and
``build_silver_events`` against the whole Bronze table, each flow with ``availableNow`` like a
triggered pipeline update, one after the other. The quarantine and Gold are the plain functions
over those tables. Far cheaper than ``spark-pipelines run`` (no Connect server per run), so
batching can be varied freely.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from clickstream.bronze_events import ingest_lines, read_landing_as_lines
from clickstream.gold_daily_metrics import build_daily_metrics
from clickstream.gold_quality_daily import build_quality_daily
from clickstream.runtime import Runtime
from clickstream.silver_events import (
    build_silver_events,
    quarantine_rows,
    read_with_ingest_watermark,
)

KEY = "test-pii-key-for-unit-tests"


class Medallion:
    """Bronze, Silver, quarantine and Gold of one landing folder, with state under ``root``."""

    def __init__(self, spark: SparkSession, root: Path, horizon: str = "3 days") -> None:
        self.spark = spark
        self.root = root
        self.landing = root / "landing"
        self.landing.mkdir(parents=True, exist_ok=True)
        suffix = uuid.uuid4().hex[:12]
        self.bronze, self.silver = f"bronze_{suffix}", f"silver_{suffix}"
        self.rt = Runtime(
            name="local", landing_path=str(self.landing), pii_key=KEY, dedupe_horizon=horizon
        )

    def _drain(self, frame: DataFrame, table: str, options: dict[str, str] | None = None) -> None:
        query = (
            frame.writeStream.format("parquet")
            .option("checkpointLocation", str(self.root / "checkpoints" / table))
            .option("path", str(self.root / "tables" / table))
            .options(**(options or {}))
            .trigger(availableNow=True)
            .toTable(table)
        )
        query.awaitTermination()

    def run_bronze(self) -> None:
        lines = read_landing_as_lines(self.spark, self.landing.as_uri())
        self._drain(ingest_lines(lines), self.bronze)

    def run_silver(self, source: DataFrame | None = None) -> None:
        """One Silver update; ``source`` replaces the pipeline's watermarked Bronze stream."""
        stream = source if source is not None else self._bronze_stream()
        history = self.spark.read.table(self.bronze)
        self._drain(build_silver_events(stream, KEY, history), self.silver)

    def _bronze_stream(self) -> DataFrame:
        return read_with_ingest_watermark(self.spark, self.rt, self.bronze)

    def run(self) -> None:
        """One pipeline update: Bronze takes in new files, then Silver processes new rows."""
        self.run_bronze()
        self.run_silver()

    def rebuild_silver(self, source: DataFrame | None = None) -> None:
        """A full refresh of Silver over the kept Bronze table."""
        self.spark.sql(f"DROP TABLE IF EXISTS {self.silver}")
        for state in ("checkpoints", "tables"):
            shutil.rmtree(self.root / state / self.silver, ignore_errors=True)
        self.run_silver(source)

    def table(self, name: str) -> DataFrame:
        return self.spark.read.table({"bronze": self.bronze, "silver": self.silver}[name])

    def quarantine(self) -> DataFrame:
        return quarantine_rows(self.table("bronze"))

    def quality_daily(self) -> DataFrame:
        return build_quality_daily(self.table("bronze"), self.table("silver"))

    def daily_metrics(self) -> DataFrame:
        silver = self.table("silver")
        return build_daily_metrics(silver)

    def drop(self) -> None:
        for table in (self.bronze, self.silver):
            self.spark.sql(f"DROP TABLE IF EXISTS {table}")
