"""The local dashboard report as one self-contained HTML file (plotly; no pyspark here).

:func:`render_html` takes the dashboard definition and each dataset's rows (lists of dicts, as
:mod:`clickstream_cli.report` reads them from the local tables) and draws every widget of every
page as a plotly chart. plotly.js is inlined once at the top of the page, so the file opens with
no network access (no CDN, no fonts, no MathJax).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from clickstream_cli.dashboard_definition import GRID_WIDTH, Dashboard, Widget

Rows = Sequence[Mapping[str, Any]]
ROW_HEIGHT_PX = 64  # one unit of a widget's height
TICK_FORMATS = {"percent": ".0%"}
HOVER_FORMATS = {"percent": ".1%"}
DAY_MS = 86_400_000
MAX_DAILY_TICKS = 14

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #1b3139; background: #f7f7f7; }
h1 { margin: 0 0 4px; } .generated { color: #5a6b73; margin: 0 0 24px; }
h2 { margin: 32px 0 12px; border-bottom: 1px solid #d9dee0; padding-bottom: 4px; }
.grid { display: grid; grid-template-columns: repeat(GRID_COLUMNS, minmax(0, 1fr)); gap: 16px; }
.panel { background: #fff; border: 1px solid #d9dee0; border-radius: 6px; padding: 8px 12px; }
.panel h3 { font-size: 15px; margin: 4px 0 0; }
""".replace("GRID_COLUMNS", str(GRID_WIDTH))


def _plain(value: Any) -> Any:
    """Values plotly draws as numbers or dates (Decimal revenue becomes a float)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def _series(widget: Widget, rows: Rows) -> list[tuple[str | None, list[Any], list[Any]]]:
    """(series name, xs, ys) per value of the widget's color field, in order of appearance."""
    groups: dict[Any, tuple[list[Any], list[Any]]] = {}
    for row in rows:
        key = row.get(widget.color) if widget.color else None
        xs, ys = groups.setdefault(key, ([], []))
        xs.append(_plain(row.get(widget.x)))
        ys.append(_plain(row.get(widget.y)))
    if not groups:
        groups[None] = ([], [])
    return [(None if k is None else str(k), xs, ys) for k, (xs, ys) in groups.items()]


def figure(widget: Widget, rows: Rows, x_kind: str = "string") -> go.Figure:
    """The plotly figure of one widget over its dataset's rows (``x_kind``: the x column's kind
    in the definition, string | date | number)."""
    hover = HOVER_FORMATS.get(widget.format or "", ",")
    traces = []
    for name, xs, ys in _series(widget, rows):
        common = {
            "x": xs,
            "y": ys,
            "name": name or widget.y,
            "hovertemplate": f"%{{x}}<br>%{{y:{hover}}}<extra>{html.escape(name or '')}</extra>",
        }
        if widget.chart == "bar":
            traces.append(go.Bar(**common))
        else:
            traces.append(go.Scatter(mode="lines+markers", **common))
    fig = go.Figure(traces)
    fig.update_layout(
        template="plotly_white",
        height=ROW_HEIGHT_PX * widget.height,
        margin={"l": 56, "r": 16, "t": 16, "b": 48},
        barmode="stack",
        showlegend=widget.color is not None,
        legend={"orientation": "h", "y": -0.2},
        xaxis_title=widget.x.replace("_", " "),
        yaxis_title=widget.y.replace("_", " "),
    )
    if widget.format in TICK_FORMATS:
        fig.update_yaxes(tickformat=TICK_FORMATS[widget.format])
    if x_kind == "date":
        # Whole days: without this a chart of one or two days is labelled in milliseconds.
        days = {row.get(widget.x) for row in rows}
        fig.update_xaxes(
            type="date",
            tickformat="%Y-%m-%d",
            dtick=DAY_MS if len(days) <= MAX_DAILY_TICKS else None,
        )
    elif x_kind == "string":
        fig.update_xaxes(type="category")
    if not rows:
        fig.add_annotation(
            text="no rows", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
        )
    return fig


def _panel(widget: Widget, x_kind: str, rows: Rows) -> str:
    chart = figure(widget, rows, x_kind).to_html(
        full_html=False,
        include_plotlyjs=False,
        config={"displayModeBar": False, "responsive": True},
    )
    return (
        f'<section class="panel" data-widget="{html.escape(widget.name)}" '
        f'style="grid-column: span {widget.width}">'
        f"<h3>{html.escape(widget.title)}</h3>{chart}</section>"
    )


def render_html(
    dashboard: Dashboard, results: Mapping[str, Rows], generated_at: datetime | None = None
) -> str:
    """The whole report: a section per page, a panel per widget, plotly.js inlined once."""
    stamp = (generated_at or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z")
    body = []
    for page in dashboard.pages:
        panels = "".join(
            _panel(w, dashboard.datasets[w.dataset].columns[w.x], results.get(w.dataset, []))
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
        "of the last <code>clickstream-local run</code>.</p>"
        f"{''.join(body)}</body></html>\n"
    )
