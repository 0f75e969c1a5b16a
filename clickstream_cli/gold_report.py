"""The Gold report of ``clickstream-local show`` / ``make demo``.

Plain functions take a SparkSession in which ``gold_daily_metrics``, ``gold_sessions`` and
``silver_events`` are readable by name, and return small lists of dicts (or one number);
:func:`render_gold_report` prints them with rich. These run queries (they are reporting code, not
pipeline dataset code).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pyspark.sql.functions as F
from pyspark.sql import SparkSession

from clickstream.contract import FUNNEL_COLUMNS, GOLD_DAILY_METRICS, GOLD_SESSIONS, SILVER_EVENTS
from clickstream.sessions import PAGE, utc_date


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def funnel(spark: SparkSession) -> list[dict[str, Any]]:
    """The e-commerce funnel over all days: one dict per step, in order, with ``step``,
    ``count``, ``step_rate`` (share of the previous step; None for the first step or when the
    previous step is 0) and ``overall_rate`` (share of the first step; None when it is 0)."""
    totals = (
        spark.read.table(GOLD_DAILY_METRICS)
        .agg(*[F.sum(c).alias(c) for c in FUNNEL_COLUMNS.values()])
        .first()
    )
    counts = [int(totals[c] or 0) if totals else 0 for c in FUNNEL_COLUMNS.values()]
    rows = []
    for index, (step, count) in enumerate(zip(FUNNEL_COLUMNS, counts, strict=True)):
        rows.append(
            {
                "step": step,
                "count": count,
                "step_rate": _rate(count, counts[index - 1]) if index else None,
                "overall_rate": _rate(count, counts[0]),
            }
        )
    return rows


def top_pages(spark: SparkSession, limit: int = 10) -> list[dict[str, Any]]:
    """Most viewed page paths (Silver ``page`` events): ``page_path``, ``page_views``; ties by
    path."""
    rows = (
        spark.read.table(SILVER_EVENTS)
        .where((F.col("event_type") == F.lit(PAGE)) & F.col("page_path").isNotNull())
        .groupBy("page_path")
        .agg(F.count(F.lit(1)).alias("page_views"))
        .orderBy(F.col("page_views").desc(), F.col("page_path"))
        .limit(limit)
        .collect()
    )
    return [{"page_path": r["page_path"], "page_views": int(r["page_views"])} for r in rows]


def sessions_per_day(spark: SparkSession) -> list[dict[str, Any]]:
    """Sessions by UTC start date: ``date``, ``sessions``, ``converted`` (sessions with an order)
    and ``conversion_rate`` (converted / sessions), oldest day first."""
    rows = (
        spark.read.table(GOLD_SESSIONS)
        .groupBy(utc_date(F.col("session_start")).alias("date"))
        .agg(
            F.count(F.lit(1)).alias("sessions"),
            F.count_if(F.col("converted")).alias("converted"),
        )
        .orderBy("date")
        .collect()
    )
    return [
        {
            "date": r["date"],
            "sessions": int(r["sessions"]),
            "converted": int(r["converted"]),
            "conversion_rate": _rate(int(r["converted"]), int(r["sessions"])),
        }
        for r in rows
    ]


def total_revenue(spark: SparkSession) -> Decimal:
    """Revenue of all days (``gold_daily_metrics.revenue``), 0 when there is none."""
    row = spark.read.table(GOLD_DAILY_METRICS).agg(F.sum("revenue").alias("revenue")).first()
    value = row["revenue"] if row else None
    return Decimal(value) if value is not None else Decimal("0.00")


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _day(value: date | None) -> str:
    return value.isoformat() if value else "-"


def render_gold_report(spark: SparkSession, console: Any) -> None:
    """Print the funnel, top pages, sessions per day and total revenue to a rich console."""
    from rich.table import Table

    table = Table(title="Funnel")
    table.add_column("Step")
    table.add_column("Count", justify="right")
    table.add_column("Step conversion", justify="right")
    table.add_column("Overall conversion", justify="right")
    for row in funnel(spark):
        table.add_row(
            row["step"],
            f"{row['count']:,}",
            _percent(row["step_rate"]),
            _percent(row["overall_rate"]),
        )
    console.print(table)

    table = Table(title="Top pages")
    table.add_column("Page")
    table.add_column("Page views", justify="right")
    for row in top_pages(spark):
        table.add_row(row["page_path"], f"{row['page_views']:,}")
    console.print(table)

    table = Table(title="Sessions per day (UTC)")
    table.add_column("Date")
    table.add_column("Sessions", justify="right")
    table.add_column("Converted", justify="right")
    table.add_column("Conversion", justify="right")
    for row in sessions_per_day(spark):
        table.add_row(
            _day(row["date"]),
            f"{row['sessions']:,}",
            f"{row['converted']:,}",
            _percent(row["conversion_rate"]),
        )
    console.print(table)

    console.print(f"Total revenue: [bold]{total_revenue(spark):,.2f}[/bold]")
