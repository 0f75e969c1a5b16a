"""One plotly figure per chart widget (bar or line), from its dataset's rows.

The figure keeps what the definition says on the page: a categorical axis in its declared order
(funnel order, or largest first: the same rules the AI/BI dashboard sorts by), fixed colours per
series value, percentages as percentages, whole days on a date axis, and axis margins that grow
to fit every tick label.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from dashboards.definition import Dashboard, Widget
from dashboards.rows import Rows

ROW_HEIGHT_PX = 64  # one unit of a widget's height
DAY_MS = 86_400_000
MAX_DAILY_TICKS = 14
# The AI/BI sort of a categorical axis, in plotly's words.
CATEGORY_ORDERS = {"natural-order": "category ascending", "y-reversed": "total descending"}


def _plain(value: Any) -> Any:
    """Values plotly draws as numbers or dates (Decimal revenue becomes a float)."""
    return float(value) if isinstance(value, Decimal) else value


def _series(widget: Widget, rows: Rows) -> list[tuple[str | None, list[Any], list[Any]]]:
    """(series name, xs, ys) per value of the widget's color column: the values of ``colors``
    first, in their order, then the others in order of appearance."""
    groups: dict[Any, tuple[list[Any], list[Any]]] = {v: ([], []) for v in widget.colors}
    for row in rows:
        key = row.get(widget.color) if widget.color else None
        xs, ys = groups.setdefault(key, ([], []))
        xs.append(_plain(row.get(widget.x or "")))
        ys.append(_plain(row.get(widget.y)))
    groups = {k: v for k, v in groups.items() if v[0]} or {None: ([], [])}
    return [(None if k is None else str(k), xs, ys) for k, (xs, ys) in groups.items()]


def _traces(widget: Widget, rows: Rows, percent: bool) -> list[go.Bar | go.Scatter]:
    hover = ".1%" if percent else ","
    traces: list[go.Bar | go.Scatter] = []
    for name, xs, ys in _series(widget, rows):
        common: dict[str, Any] = {
            "x": xs,
            "y": ys,
            "name": name or widget.y,
            "hovertemplate": f"%{{x}}<br>%{{y:{hover}}}<extra>{html.escape(name or '')}</extra>",
        }
        colour = widget.colors.get(name or "")
        if widget.chart == "bar":
            traces.append(go.Bar(**common, marker_color=colour))
        else:
            traces.append(go.Scatter(mode="lines+markers", **common, line_color=colour))
    return traces


def figure(dashboard: Dashboard, widget: Widget, rows: Rows) -> go.Figure:
    """The plotly figure of one chart widget over its dataset's rows."""
    percent = dashboard.kind(widget, widget.y) == "percent"
    legend = widget.color is not None
    fig = go.Figure(_traces(widget, rows, percent))
    fig.update_layout(
        template="plotly_white",
        height=ROW_HEIGHT_PX * widget.height,
        margin={"l": 16, "r": 16, "t": 36 if legend else 12, "b": 16},
        barmode="stack",
        showlegend=legend,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "traceorder": "normal"},
        xaxis_title=(widget.x or "").replace("_", " "),
        yaxis_title=widget.y.replace("_", " "),
    )
    # Margins grow to fit tick labels (plotly leaves them fixed otherwise, and clips).
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True, rangemode="tozero")
    if percent:
        fig.update_yaxes(tickformat=".0%")
    x_kind = dashboard.kind(widget, widget.x)
    if x_kind == "date":
        # Whole days: without this a chart of one or two days is labelled in milliseconds. Not
        # without rows: plotly then shows a year, and a tick per day of it stalls the page.
        days = {row.get(widget.x or "") for row in rows}
        fig.update_xaxes(
            type="date",
            tickformat="%Y-%m-%d",
            dtick=DAY_MS if 0 < len(days) <= MAX_DAILY_TICKS else None,
        )
    elif x_kind == "string":
        fig.update_xaxes(type="category", categoryorder=CATEGORY_ORDERS[widget.sort or ""])
    if not rows:
        fig.add_annotation(
            text="no rows", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
        )
    return fig
