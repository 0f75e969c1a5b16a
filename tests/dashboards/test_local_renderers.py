"""The report page and the `show` tables from the same rows: values written one way, and the
same output whatever the machine's time zone (days are UTC dates in the data)."""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from dashboards.definition import load
from dashboards.html_report import render_html
from dashboards.rows import format_value
from dashboards.terminal import render_datasets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "report"))
from report_rows import ROWS

DASHBOARD = load()
STAMP = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (0.125, "percent", "12.5%"),
        (12345, "number", "12,345"),
        (Decimal("1234.5"), "number", "1,234.50"),
        (date(1, 1, 1), "date", "0001-01-01"),
        (None, "number", "-"),
        ("/cart", "string", "/cart"),
    ],
)
def test_values_are_written_one_way(value, kind, text):
    assert format_value(value, kind) == text


def test_show_prints_every_dataset_with_its_title_and_formatted_values():
    console = Console(record=True, width=200)
    render_datasets(DASHBOARD, ROWS, console)
    out = " ".join(console.export_text().split())  # titles wrap over narrow tables
    for dataset in DASHBOARD.datasets.values():
        assert dataset.title in out
    assert "12,345" in out and "12.5%" in out and "1,234.50" in out
    assert "all quarantined rows" in out and "partial day" in out


@pytest.fixture
def time_zone(monkeypatch):
    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


def test_the_report_is_the_same_west_and_east_of_utc(time_zone):
    pages = []
    for zone in ("America/Los_Angeles", "Asia/Tokyo", "UTC"):
        time_zone(zone)
        pages.append(render_html(DASHBOARD, ROWS, generated_at=STAMP))
    assert pages[0] == pages[1] == pages[2]
