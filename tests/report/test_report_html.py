"""The local HTML report: one self-contained file, opened in a real headless browser.

The page is built from a tiny hand-made set of dataset rows (the SQL itself is checked against
the tables of the end-to-end run in tests/pipeline/test_dashboard_sql.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from chromium_cdp import Chromium, find_chromium

from clickstream_cli.dashboard_definition import load
from clickstream_cli.report_html import render_html

DASHBOARD = load()
DAY_1, DAY_2 = date(2026, 3, 1), date(2026, 3, 2)
ROWS = {
    "funnel": [
        {
            "step_order": 1,
            "step": "Product Viewed",
            "events": 120,
            "step_conversion": None,
            "overall_conversion": 1.0,
        },
        {
            "step_order": 2,
            "step": "Product Added",
            "events": 48,
            "step_conversion": 0.4,
            "overall_conversion": 0.4,
        },
        {
            "step_order": 3,
            "step": "Checkout Started",
            "events": 24,
            "step_conversion": 0.5,
            "overall_conversion": 0.2,
        },
        {
            "step_order": 4,
            "step": "Order Completed",
            "events": 12,
            "step_conversion": 0.5,
            "overall_conversion": 0.1,
        },
    ],
    "daily_activity": [
        {
            "event_date": DAY_1,
            "active_users": 30,
            "sessions": 41,
            "converted_sessions": 5,
            "session_conversion": 5 / 41,
        },
        {
            "event_date": DAY_2,
            "active_users": 34,
            "sessions": 45,
            "converted_sessions": 7,
            "session_conversion": 7 / 45,
        },
    ],
    "orders_revenue": [
        {"event_date": DAY_1, "orders": 5, "revenue": Decimal("250.10")},
        {"event_date": DAY_2, "orders": 7, "revenue": Decimal("310.00")},
    ],
    "top_pages": [{"page_path": "/", "page_views": 90}, {"page_path": "/cart", "page_views": 40}],
    "top_entry_pages": [
        {"entry_path": "/", "sessions": 50, "converted_sessions": 6},
        {"entry_path": "/products/42", "sessions": 20, "converted_sessions": 4},
    ],
    "quality_totals": [
        {"ingest_date": DAY_1, "outcome": outcome, "rows": rows}
        for outcome, rows in (
            ("accepted", 90),
            ("duplicates", 4),
            ("quarantined", 6),
            ("received", 100),
        )
    ],
    "quality_rules": [
        {"ingest_date": DAY_1, "rule": "has_message_id", "rows": 4},
        {"ingest_date": DAY_1, "rule": "is_json_object", "rows": 2},
    ],
}

# Per panel: does it hold a plotly chart whose SVG has at least one drawn trace?
PANELS_JS = """
Array.from(document.querySelectorAll('section.panel')).map(panel => ({
  widget: panel.dataset.widget,
  svg: panel.querySelectorAll('.js-plotly-plot .main-svg').length,
  traces: panel.querySelectorAll('.js-plotly-plot .main-svg .trace').length,
}))
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(DASHBOARD, ROWS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = find_chromium()
    if binary is None:
        pytest.fail("no chromium on PATH: run `make chromium` (Debian's package, via apt-get)")
    chromium = Chromium(binary, tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def loaded(browser, report):
    return browser.load(report.as_uri())


def test_report_is_one_file_with_plotly_inlined(report):
    text = report.read_text()
    assert "<script src=" not in text and "<link " not in text
    assert "Plotly.newPlot" in text and len(text) > 1_000_000  # plotly.js itself is in the file


def test_report_has_a_panel_per_widget_of_every_page(report):
    text = report.read_text()
    for page in DASHBOARD.pages:
        assert f">{page.title}</h2>" in text
    for widget in DASHBOARD.widgets:
        assert f'data-widget="{widget.name}"' in text


def test_report_loads_in_a_browser_without_console_errors(loaded):
    assert loaded.errors() == []


def test_report_makes_no_network_request(loaded, report):
    assert [url for url in loaded.requests if url != report.as_uri()] == []


def test_every_panel_has_a_rendered_chart(browser, loaded, tmp_path):
    panels = browser.evaluate(PANELS_JS)
    assert [p["widget"] for p in panels] == [w.name for w in DASHBOARD.widgets]
    empty = [p["widget"] for p in panels if p["svg"] < 1 or p["traces"] < 1]
    assert empty == []
    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000


def test_a_dataset_without_rows_still_draws_its_panel(browser, tmp_path):
    page = tmp_path / "empty.html"
    page.write_text(render_html(DASHBOARD, {}), encoding="utf-8")
    record = browser.load(page.as_uri())
    panels = browser.evaluate(PANELS_JS)
    assert record.errors() == []
    assert len(panels) == len(DASHBOARD.widgets) and all(p["svg"] >= 1 for p in panels)
