"""``clickstream-local show``: what a local run produced, at a glance.

Row counts of every table, a few Silver rows, the dashboard's datasets (headline figures, funnel,
days, top pages, the row accounting received = accepted + quarantined + duplicates, quarantine per
rule: the queries of ``dashboards/``), then the landing files that could not be read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from clickstream.contract import PIPELINE_TABLES, SILVER_EVENTS, SILVER_SAMPLE_COLUMNS
from clickstream_cli.erasure_log import render_erasure_log
from clickstream_cli.file_faults import FaultRecord
from clickstream_cli.local_home import LocalHome
from dashboards.definition import load
from dashboards.rows import run_datasets
from dashboards.terminal import render_datasets

# Timestamps are shown as Spark formats them in the session's UTC: collected as Python datetimes
# they would be converted to the local time zone, and one outside Python's years 1-9999 there
# (0001-01-01T00:00Z west of UTC) would stop `show` with a ValueError.
UTC_TEXT = "yyyy-MM-dd HH:mm:ss"


class ShowError(Exception):
    """Nothing to show; the message says why."""


def open_session(home: LocalHome, hive: bool = True):
    """A local SparkSession on HOME's metastore and warehouse (``hive=False``: no catalog, for
    readers that go by path, such as ``forget``)."""
    if hive and not home.has_run():
        raise ShowError(
            f"no pipeline run found under {home.root}: run `clickstream-local run` first"
        )
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ["SPARK_CONF_DIR"] = str(home.conf_dir)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").appName("clickstream-show")
    for key, value in home.static_spark_conf().items() if hive else ():
        builder = builder.config(key, value)
    builder = builder.config("spark.sql.session.timeZone", "UTC")
    builder = builder.config("spark.ui.enabled", "false")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    # The JVM inherits this process's stderr when it starts: point it at a log file, so its
    # start-up chatter stays out of the report.
    home.logs.mkdir(parents=True, exist_ok=True)
    saved = os.dup(2)
    with open(home.logs / "show-spark.log", "ab") as jvm_log:
        os.dup2(jvm_log.fileno(), 2)
        try:
            spark = (builder.enableHiveSupport() if hive else builder).getOrCreate()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def table_counts(spark) -> dict[str, int]:
    existing = {row.tableName for row in spark.sql("SHOW TABLES").collect()}
    return {name: spark.table(name).count() for name in PIPELINE_TABLES if name in existing}


def render(spark, console: Console) -> None:
    """The tables of the run, a few Silver rows, then the dashboard's datasets (the same queries
    as the AI/BI dashboard and the report), when every table they read exists."""
    from pyspark.sql import functions as F

    counts = table_counts(spark)
    table = Table(title="Tables", show_edge=False)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    if SILVER_EVENTS in counts:
        sample = Table(title=f"{SILVER_EVENTS} (sample)", show_edge=False)
        for column in SILVER_SAMPLE_COLUMNS:
            sample.add_column(column, overflow="ellipsis", max_width=18)
        columns = [
            F.date_format(c, UTC_TEXT).alias(c) if c == "event_ts" else F.col(c)
            for c in SILVER_SAMPLE_COLUMNS
        ]
        for row in spark.table(SILVER_EVENTS).select(*columns).limit(5).collect():
            sample.add_row(*["" if v is None else str(v) for v in row])
        console.print(sample)
    dashboard = load()
    missing = sorted(set(dashboard.tables) - counts.keys())
    if missing:
        console.print(f"Dashboard datasets not shown: no table {', '.join(missing)}")
        return
    render_datasets(dashboard, run_datasets(spark, dashboard), console)


def render_file_faults(home: LocalHome, console: Console) -> None:
    """The unreadable landing files recorded by the runs, one line each (whole paths, unwrapped,
    so they can be copied and searched)."""
    faults = FaultRecord(home).faults()
    if not faults:
        console.print("Unreadable landing files: none")
        return
    console.print(
        f"[bold]Unreadable landing files[/] ({len(faults)}; set aside, their readable "
        "lines, if any, are in Bronze)"
    )
    for fault in faults:
        console.print(
            f"  {fault.path}  found {fault.found_at}  {fault.error_class}: {fault.message}",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )


def show(home_root: Path, console: Console | None = None) -> None:
    console = console or Console()
    home = LocalHome(home_root.expanduser().resolve())
    spark = open_session(home)
    try:
        render(spark, console)
    finally:
        spark.stop()
    render_file_faults(home, console)
    render_erasure_log(home, console)
