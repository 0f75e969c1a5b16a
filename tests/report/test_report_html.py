"""The local HTML report, opened in a real headless browser and measured: what a reader sees.

The page is built from the hand-made rows of ``report_rows`` (the SQL itself is checked against
the tables of the end-to-end run in tests/pipeline/test_dashboard_sql.py).
"""

from __future__ import annotations

import pytest
from chromium_cdp import Chromium, find_chromium
from report_rows import DAYS, FUNNEL_EVENTS, PAGE_VIEWS, QUALITY_PARTS, QUARANTINED, ROWS

from dashboards.definition import load
from dashboards.html_report import render_html

DASHBOARD = load()
CHARTS = [w for w in DASHBOARD.widgets if w.chart != "counter"]

# Per panel: does it hold a plotly chart whose SVG has at least one drawn trace?
PANELS_JS = """
Array.from(document.querySelectorAll('section.panel.chart')).map(panel => ({
  widget: panel.dataset.widget,
  svg: panel.querySelectorAll('.js-plotly-plot .main-svg').length,
  traces: panel.querySelectorAll('.js-plotly-plot .main-svg .trace').length,
}))
"""
# Every tick label whose box leaves its chart's box (0.5 px for anti-aliasing).
CLIPPED_TICKS_JS = """
Array.from(document.querySelectorAll('section.panel.chart')).flatMap(panel => {
  const chart = panel.querySelector('.svg-container').getBoundingClientRect();
  return Array.from(panel.querySelectorAll('.xtick text, .ytick text')).filter(t => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && (r.left < chart.left - 0.5 || r.right > chart.right + 0.5 ||
      r.top < chart.top - 0.5 || r.bottom > chart.bottom + 0.5);
  }).map(t => panel.dataset.widget + ': ' + t.textContent);
})
"""
# A panel's x tick labels from left to right.
X_LABELS_JS = """
(name => Array.from(document.querySelectorAll(`[data-widget="${name}"] .xtick text`))
  .map(t => [t.getBoundingClientRect().left, t.textContent])
  .sort((a, b) => a[0] - b[0]).map(p => p[1]))
"""
# A panel's drawn bars: centre x, height in pixels, fill and series (legend) name.
BARS_JS = """
(name => Array.from(document.querySelectorAll(`[data-widget="${name}"] .trace.bars`))
  .flatMap((trace, i) => Array.from(trace.querySelectorAll('.point path')).map(p => {
    const r = p.getBoundingClientRect();
    return {x: Math.round(r.left + r.width / 2), height: r.height, fill: p.style.fill,
            series: trace.__data__[0].trace.name};
  })).filter(b => b.height > 0))
"""
# The pixel height of a value on a panel's y axis.
Y_PIXELS_JS = """
((name, value) => {
  const ya = document.querySelector(`[data-widget="${name}"] .js-plotly-plot`)._fullLayout.yaxis;
  return ya.l2p(0) - ya.l2p(value);
})
"""
LEGEND_JS = """
(name => Array.from(document.querySelectorAll(`[data-widget="${name}"] .legendtext`))
  .map(t => t.textContent))
"""
HEADLINE_JS = """
(() => {
  const panels = Array.from(document.querySelectorAll('section.panel'));
  const firstChart = panels.findIndex(p => p.classList.contains('chart'));
  return {
    counters: panels.slice(0, firstChart).map(p => ({
      title: p.querySelector('h3').textContent, value: p.querySelector('.value').textContent,
      top: Math.round(p.getBoundingClientRect().top)})),
    chartTop: Math.round(panels[firstChart].getBoundingClientRect().top),
  };
})()
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(DASHBOARD, ROWS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Chromium(find_chromium(), tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def loaded(browser, report):
    return browser.load(report.as_uri())


def _call(browser: Chromium, function_js: str, *args) -> object:
    import json

    return browser.evaluate(f"({function_js})({', '.join(json.dumps(a) for a in args)})")


def test_report_is_one_file_with_plotly_inlined(report):
    text = report.read_text()
    assert "<script src=" not in text and "<link " not in text
    assert "Plotly.newPlot" in text and len(text) > 1_000_000  # plotly.js itself is in the file


def test_report_loads_in_a_browser_without_console_errors(loaded):
    assert loaded.errors() == []


def test_report_makes_no_network_request(loaded, report):
    assert [url for url in loaded.requests if url != report.as_uri()] == []


def test_every_chart_panel_has_a_rendered_chart(browser, loaded, tmp_path):
    panels = browser.evaluate(PANELS_JS)
    assert [p["widget"] for p in panels] == [w.name for w in CHARTS]
    assert [p["widget"] for p in panels if p["svg"] < 1 or p["traces"] < 1] == []
    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000


def test_a_row_of_headline_figures_opens_the_report(browser, loaded):
    headline = browser.evaluate(HEADLINE_JS)
    assert [(c["title"], c["value"]) for c in headline["counters"]] == [
        ("Events", "12,345"),
        ("People", "67"),
        ("Sessions", "89"),
        ("Sessions with an order", "12.5%"),
        ("Revenue", "1,234.50"),
    ]
    assert len({c["top"] for c in headline["counters"]}) == 1  # one row
    assert headline["counters"][0]["top"] < headline["chartTop"]


def test_every_tick_label_lies_inside_its_chart(browser, loaded):
    assert browser.evaluate(CLIPPED_TICKS_JS) == []


def test_funnel_charts_keep_the_funnel_order(browser, loaded):
    funnel = [row["step_label"] for row in ROWS["funnel"]]
    assert _call(browser, X_LABELS_JS, "funnel_events") == funnel
    assert _call(browser, X_LABELS_JS, "funnel_conversion") == funnel


def test_every_funnel_step_has_a_conversion_bar(browser, loaded):
    bars = _call(browser, BARS_JS, "funnel_conversion")
    assert len(bars) == len(FUNNEL_EVENTS)
    assert max(b["height"] for b in bars) == pytest.approx(
        _call(browser, Y_PIXELS_JS, "funnel_conversion", 1.0), abs=1
    )  # the first step is 100% of itself


def test_top_pages_are_drawn_largest_first(browser, loaded):
    ranked = sorted(PAGE_VIEWS, key=PAGE_VIEWS.__getitem__, reverse=True)
    assert _call(browser, X_LABELS_JS, "top_pages") == ranked


def test_a_partial_day_is_drawn_apart_and_left_out_of_the_rate(browser, loaded):
    colours = {
        w.name: w.colors for w in DASHBOARD.widgets if w.name in ("sessions", "session_conversion")
    }
    sessions = _call(browser, BARS_JS, "sessions")
    assert [b["series"] for b in sorted(sessions, key=lambda b: b["x"])] == [
        "whole day",
        "whole day",
        "partial day",
    ]
    assert len({b["fill"] for b in sessions}) == 2
    assert _call(browser, LEGEND_JS, "sessions") == list(colours["sessions"])
    rates = _call(browser, BARS_JS, "session_conversion")
    assert [b["series"] for b in rates] == ["whole day"] * (len(DAYS) - 1)


def test_row_accounting_stacks_the_parts_to_the_rows_received(browser, loaded):
    bars = _call(browser, BARS_JS, "quality_totals")
    assert _call(browser, LEGEND_JS, "quality_totals") == ["accepted", "quarantined", "duplicates"]
    stacks: dict[int, float] = {}
    for bar in bars:
        stacks[bar["x"]] = stacks.get(bar["x"], 0) + bar["height"]
    received = [sum(parts.values()) for parts in QUALITY_PARTS.values()]
    expected = [_call(browser, Y_PIXELS_JS, "quality_totals", r) for r in received]
    assert [stacks[x] for x in sorted(stacks)] == pytest.approx(expected, abs=1.5)


def test_quarantine_per_rule_shows_every_row_once_first_and_no_rule_above_it(browser, loaded):
    labels = _call(browser, X_LABELS_JS, "quality_rules")
    bars = sorted(_call(browser, BARS_JS, "quality_rules"), key=lambda b: b["x"])
    assert labels[0] == "all quarantined rows"
    assert bars[0]["height"] == pytest.approx(
        _call(browser, Y_PIXELS_JS, "quality_rules", QUARANTINED), abs=1
    )
    assert all(b["height"] <= bars[0]["height"] + 0.5 for b in bars)


def test_a_dataset_without_rows_still_draws_its_panel(browser, tmp_path):
    page = tmp_path / "empty.html"
    page.write_text(render_html(DASHBOARD, {}), encoding="utf-8")
    record = browser.load(page.as_uri())
    panels = browser.evaluate(PANELS_JS)
    assert record.errors() == []
    assert len(panels) == len(CHARTS) and all(p["svg"] >= 1 for p in panels)
