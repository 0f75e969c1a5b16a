"""The dashboard's SQL over the tables of the end-to-end run (the session ``scenario``).

Only the published tables are registered (as temporary views under their contract names), so a
query that reached for the raw zone would fail here as it would for an engineer on Databricks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import DateType, NumericType, StringType

from clickstream.contract import (
    BRONZE_EVENTS,
    FUNNEL_COLUMNS,
    GOLD_DAILY_METRICS,
    GOLD_SESSIONS,
    PUBLISHED_TABLES,
    SILVER_QUARANTINE,
)
from dashboards.definition import load

pytestmark = pytest.mark.e2e

DASHBOARD = load()


@pytest.fixture(scope="module")
def published(spark, scenario):
    """The scenario's published tables as views named after the contract; dropped afterwards."""
    for name in PUBLISHED_TABLES:
        scenario["snap"].table(name).createOrReplaceTempView(name)
    yield scenario["snap"]
    for name in PUBLISHED_TABLES:
        spark.catalog.dropTempView(name)


def _rows(spark, dataset: str) -> list[dict]:
    return [r.asDict() for r in spark.sql(DASHBOARD.datasets[dataset].query()).collect()]


def _kind(data_type, declared: str) -> str:
    if isinstance(data_type, StringType):
        return "string"
    if isinstance(data_type, DateType):
        return "date"
    if isinstance(data_type, NumericType):
        return "percent" if declared == "percent" else "number"
    return data_type.simpleString()


@pytest.mark.parametrize("name", sorted(DASHBOARD.datasets))
def test_dataset_returns_its_declared_columns(spark, published, name):
    frame = spark.sql(DASHBOARD.datasets[name].query())
    declared = DASHBOARD.datasets[name].columns
    assert {f.name: _kind(f.dataType, declared.get(f.name, "")) for f in frame.schema} == declared
    assert frame.count() > 0


def test_funnel_equals_the_totals_of_gold_daily_metrics(spark, published):
    totals = (
        published.table(GOLD_DAILY_METRICS)
        .agg(*[F.sum(c).alias(c) for c in FUNNEL_COLUMNS.values()])
        .first()
    )
    funnel = _rows(spark, "funnel")
    assert [(r["step"], r["events"]) for r in funnel] == [
        (step, totals[column]) for step, column in FUNNEL_COLUMNS.items()
    ]
    assert funnel[0]["step_conversion"] is None
    for previous, row in zip(funnel, funnel[1:], strict=False):
        assert row["step_conversion"] == pytest.approx(row["events"] / previous["events"])


def test_orders_and_revenue_per_day_equal_gold_daily_metrics(spark, published):
    daily = {
        r.event_date: (r.orders, r.revenue) for r in published.table(GOLD_DAILY_METRICS).collect()
    }
    shown = {r["event_date"]: (r["orders"], r["revenue"]) for r in _rows(spark, "daily_activity")}
    assert shown == daily
    assert sum(revenue for _, revenue in shown.values()) > 0


def test_daily_activity_equals_gold_daily_metrics_and_sessions(spark, published):
    daily = {
        r.event_date: (r.active_users, r.sessions)
        for r in published.table(GOLD_DAILY_METRICS).collect()
    }
    rows = _rows(spark, "daily_activity")
    assert {r["event_date"]: (r["active_users"], r["sessions"]) for r in rows} == daily
    converted = published.table(GOLD_SESSIONS).where("converted").count()
    assert sum(r["converted_sessions"] for r in rows) == converted


def test_top_entry_pages_count_sessions_by_entry_path(spark, published):
    sessions = Counter(r.entry_path for r in published.table(GOLD_SESSIONS).collect())
    top = _rows(spark, "top_entry_pages")
    assert top[0]["sessions"] == max(n for path, n in sessions.items() if path)
    assert all(sessions[r["entry_path"]] == r["sessions"] for r in top)


def test_quality_totals_are_the_parts_of_every_bronze_row(spark, published, scenario):
    totals = Counter()
    for row in _rows(spark, "quality_totals"):
        totals[row["outcome"]] += row["rows"]
    bronze = published.table(BRONZE_EVENTS).count()
    duplicates = scenario["first"]["duplicates"] + scenario["second"]["duplicates"]
    assert totals["duplicates"] == duplicates
    assert set(totals) == {"accepted", "quarantined", "duplicates"}
    assert sum(totals.values()) == bronze


def test_quality_rules_show_each_quarantined_row_once_then_rule_hits(spark, published):
    quarantine = published.table(SILVER_QUARANTINE)
    hits = Counter(
        r.rule for r in quarantine.select(F.explode("failed_rules").alias("rule")).collect()
    )
    bars = [(r["bar"], r["rows"]) for r in _rows(spark, "quality_rules")]
    assert bars[0] == ("all quarantined rows", quarantine.count())
    assert dict(bars[1:]) == {f"failed {rule}": n for rule, n in hits.items()}
    assert [n for _, n in bars] == sorted((n for _, n in bars), reverse=True)


def test_headline_figures_equal_the_tables(spark, published):
    (row,) = _rows(spark, "headline")
    sessions = published.table(GOLD_SESSIONS)
    assert row["events"] == published.table("silver_events").count()
    assert row["sessions"] == sessions.count()
    assert row["people"] == sessions.select("user_key").distinct().count()
    assert row["session_conversion"] == pytest.approx(
        sessions.where("converted").count() / sessions.count()
    )


def test_only_the_first_and_last_day_can_be_partial(spark, published):
    days = _rows(spark, "daily_activity")
    assert {d["day"] for d in days[1:-1]} <= {"whole day"}
    for day in days:
        assert (day["session_conversion"] is None) == (day["day"] == "partial day")


def test_categorical_rows_come_in_the_order_the_charts_sort_by(spark, published):
    labels = [r["step_label"] for r in _rows(spark, "funnel")]
    assert labels == sorted(labels)
    assert [label.split(". ", 1)[1] for label in labels] == list(FUNNEL_COLUMNS)
    for name, y in (("top_pages", "page_views"), ("top_entry_pages", "sessions")):
        counts = [r[y] for r in _rows(spark, name)]
        assert counts == sorted(counts, reverse=True)


def test_report_command_writes_the_html_for_the_run_east_of_utc(scenario, tmp_path):
    out = tmp_path / "report.html"
    # A process of its own: the report opens the run's metastore in a session of its own.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "clickstream_cli.local",
            "report",
            "--home",
            str(scenario["home"]),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TZ": "Pacific/Kiritimati"},  # UTC+14: east of every other zone
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert str(out) in result.stdout
    text = out.read_text()
    assert all(f'data-widget="{w.name}"' in text for w in DASHBOARD.widgets)
