"""`show`, `report` and the dashboard SQL read any row Silver and Gold can hold, in any time zone.

Silver holds event times from 2000-01-01 up to a day after ingestion (the
``plausible_event_time`` rule). The tables here come from the real ingest, Silver and Gold
functions over events at both edges, and are read with this process's local time zone set west
of UTC, to UTC and to UTC+14 (Python converts collected timestamps to local time).
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

import pytest
from rich.console import Console

from clickstream.bronze_events import ingest_lines
from clickstream.contract import (
    BRONZE_EVENTS,
    GOLD_DAILY_METRICS,
    GOLD_QUALITY_DAILY,
    GOLD_SESSIONS,
    SILVER_EVENTS,
    SILVER_QUARANTINE,
)
from clickstream.gold_daily_metrics import build_daily_metrics
from clickstream.gold_quality_daily import build_quality_daily
from clickstream.gold_sessions import build_sessions
from clickstream.silver_events import quarantine_rows, to_silver_columns, valid_rows
from clickstream_cli import local_show
from dashboards.definition import load
from dashboards.html_report import render_html
from dashboards.rows import run_datasets

INGESTED = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
EDGES = ("2000-01-01T00:00:00Z", "2026-03-03T23:30:00Z")  # earliest, ingestion + 1 day
ZONES = ("America/Los_Angeles", "UTC", "Pacific/Kiritimati")


def _line(n: int, timestamp: str, kind: str = "page") -> str:
    return (
        f'{{"messageId":"m{n}","type":"{kind}","name":"Home","anonymousId":"a{n}",'
        f'"timestamp":"{timestamp}","context":{{"page":{{"path":"/p{n}"}}}}}}'
    )


@pytest.fixture(scope="module")
def tables(spark):
    """A session of its own whose tables, by their contract names, hold the edge rows."""
    session = spark.newSession()
    lines = [_line(i, ts) for i, ts in enumerate(EDGES)] + ["garbage"]
    frame = session.createDataFrame(
        [(line, "edges.json", INGESTED) for line in lines],
        "value string, _source_file string, _ingested_at timestamp",
    )
    bronze = ingest_lines(frame)
    silver = to_silver_columns(valid_rows(bronze), "test-pii-key-for-time-zones")
    sessions = build_sessions(silver)
    quarantine = quarantine_rows(bronze)
    for name, table in {
        BRONZE_EVENTS: bronze,
        SILVER_EVENTS: silver,
        SILVER_QUARANTINE: quarantine,
        GOLD_SESSIONS: sessions,
        GOLD_DAILY_METRICS: build_daily_metrics(silver),
        GOLD_QUALITY_DAILY: build_quality_daily(bronze, silver),
    }.items():
        _copy(session, table, name)
    return session


@pytest.fixture(params=ZONES)
def local_zone(request, monkeypatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_show_renders_the_edge_rows(tables, local_zone):
    out = io.StringIO()

    local_show.render(tables, Console(file=out, width=200))

    # rich wraps the sample's cells at 18 characters: date and time land on two lines
    assert "2000-01-01" in out.getvalue() and "2026-03-03" in out.getvalue()
    assert "Daily activity" in out.getvalue()


def test_the_dashboard_sql_and_the_report_render_the_edge_rows(tables, local_zone):
    dashboard = load()

    results = run_datasets(tables, dashboard)

    days = {str(r["event_date"]) for r in results["daily_activity"]}
    assert days == {"2000-01-01", "2026-03-03"}
    assert "<html" in render_html(dashboard, results)


def _copy(session, frame, name: str) -> None:
    session.createDataFrame(frame.collect(), frame.schema).createOrReplaceTempView(name)


def test_show_prints_event_times_as_spark_formats_them_in_utc(tables, monkeypatch):
    # A row from before the plausibility rule (year 1): collected as a Python datetime it would
    # become year 0 west of UTC and stop `show` with a ValueError.
    legacy = tables.newSession()
    silver = tables.table(SILVER_EVENTS)
    year_one = datetime(1, 1, 1, tzinfo=UTC)
    rows = [row.asDict() | {"event_ts": year_one} for row in silver.collect()]
    legacy.createDataFrame(rows, silver.schema).createOrReplaceTempView(SILVER_EVENTS)
    for name in (BRONZE_EVENTS, SILVER_QUARANTINE):
        _copy(legacy, tables.table(name), name)
    out = io.StringIO()
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        local_show.render(legacy, Console(file=out, width=200))
    finally:
        monkeypatch.undo()
        time.tzset()

    assert "0001-01-01" in out.getvalue()
