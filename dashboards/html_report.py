"""The dashboard as one self-contained HTML file (plotly; no pyspark here).

:func:`render_html` takes the definition and each dataset's rows (lists of dicts, as
:func:`dashboards.rows.run_datasets` returns them) and draws every widget of every page: counters
as a row of headline figures, charts with :func:`dashboards.figures.figure`. plotly.js is inlined
once at the top of the page, so the file opens with no network access (no CDN, no fonts).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime

from plotly.offline import get_plotlyjs

from dashboards.definition import GRID_WIDTH, Dashboard, Widget
from dashboards.figures import figure
from dashboards.rows import Rows, format_value

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #1b3139; background: #f7f7f7; }
h1 { margin: 0 0 4px; } .generated { color: #5a6b73; margin: 0 0 24px; }
h2 { margin: 32px 0 12px; border-bottom: 1px solid #d9dee0; padding-bottom: 4px; }
.grid { display: grid; grid-template-columns: repeat(GRID_COLUMNS, minmax(0, 1fr)); gap: 16px; }
.panel { background: #fff; border: 1px solid #d9dee0; border-radius: 6px; padding: 8px 12px;
         min-width: 0; }
.panel h3 { font-size: 15px; margin: 4px 0 0; }
.counter .value { font-size: 28px; font-weight: 600; margin: 8px 0 4px; }
""".replace("GRID_COLUMNS", str(GRID_WIDTH))


def _section(widget: Widget, body: str, kind: str = "chart") -> str:
    return (
        f'<section class="panel {kind}" data-widget="{html.escape(widget.name)}" '
        f'style="grid-column: span {widget.width}">'
        f"<h3>{html.escape(widget.title)}</h3>{body}</section>"
    )


def _counter(dashboard: Dashboard, widget: Widget, rows: Rows) -> str:
    value = rows[0].get(widget.y) if rows else None
    text = format_value(value, dashboard.kind(widget, widget.y))
    return _section(widget, f'<p class="value">{html.escape(text)}</p>', "counter")


def _chart(dashboard: Dashboard, widget: Widget, rows: Rows) -> str:
    chart = figure(dashboard, widget, rows).to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{widget.name}",  # stable: the same rows give the same file
        config={"displayModeBar": False, "responsive": True},
    )
    return _section(widget, chart)


def render_html(
    dashboard: Dashboard, results: Mapping[str, Rows], generated_at: datetime | None = None
) -> str:
    """The whole report: a section per page, a panel per widget, plotly.js inlined once."""
    stamp = (generated_at or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z")
    body = []
    for page in dashboard.pages:
        panels = "".join(
            (_counter if w.chart == "counter" else _chart)(dashboard, w, results.get(w.dataset, []))
            for w in page.widgets
        )
        body.append(
            f'<h2 id="{html.escape(page.name)}">{html.escape(page.title)}</h2>'
            f'<div class="grid">{panels}</div>'
        )
    title = html.escape(dashboard.title)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f"<body><h1>{title}</h1>"
        f'<p class="generated">Local report, generated {html.escape(stamp)} from the tables '
        "of the last <code>clickstream-local run</code>. Days are UTC dates; a partial day "
        "(the first or last of the data) is drawn apart and left out of rates.</p>"
        f"{''.join(body)}</body></html>\n"
    )
