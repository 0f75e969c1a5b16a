"""``clickstream-local report``: the dashboard as one HTML file, from the local tables.

Runs every dataset of ``dashboards/`` (the same definition the Databricks dashboard is built from)
in a SparkSession on HOME's metastore, as ``clickstream-local show`` does, and writes the page
that :func:`dashboards.html_report.render_html` draws.
"""

from __future__ import annotations

from pathlib import Path

from clickstream_cli.local_home import LocalHome
from clickstream_cli.local_show import ShowError, open_session
from dashboards.definition import DASHBOARD_DIR, load
from dashboards.rows import run_datasets

REPORT_FILE = "report.html"


class ReportError(Exception):
    """No report could be written; the message says why."""


def default_output(home_root: Path) -> Path:
    return home_root / REPORT_FILE


def write_report(
    home_root: Path, out: Path | None = None, dashboard_dir: Path = DASHBOARD_DIR
) -> Path:
    """Run the dashboard's SQL over HOME's tables and write the HTML report; return its path."""
    from dashboards.html_report import render_html

    home = LocalHome(home_root.expanduser().resolve())
    target = (out or default_output(home.root)).expanduser().resolve()
    dashboard = load(dashboard_dir)
    try:
        spark = open_session(home)
    except ShowError as error:
        raise ReportError(str(error)) from error
    try:
        results = run_datasets(spark, dashboard)
    except Exception as error:
        raise ReportError(
            f"the dashboard's queries failed on {home.root} ({type(error).__name__}): "
            "run `clickstream-local run` with this version first"
        ) from error
    finally:
        spark.stop()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(dashboard, results), encoding="utf-8")
    return target
