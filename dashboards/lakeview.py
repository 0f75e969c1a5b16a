"""The dashboard as an AI/BI (Lakeview) document: what ``databricks.Dashboard`` deploys.

The JSON follows the dashboards Databricks exports (``*.lvdash.json`` in
databricks/bundle-examples; the widget model of databrickslabs/lsql): ``datasets`` with
``name``/``displayName``/``queryLines``; ``pages`` whose ``layout`` holds widgets with ``queries``
(``datasetName`` + ``fields``) and a ``spec`` (``widgetType``; ``version`` 3 for bar and line
charts, 2 for counters; ``encodings`` naming those fields). A categorical axis carries its
``scale.sort`` explicitly, so the funnel and the top-N charts keep their order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dashboards.definition import DASHBOARD_DIR, GRID_WIDTH, Dashboard, Page, Widget, load

SCALES = {"string": "categorical", "date": "temporal", "number": "quantitative"}
SCALES["percent"] = SCALES["number"]
PERCENT_FORMAT = {"type": "number-percent", "decimalPlaces": {"type": "max", "places": 1}}
SPEC_VERSIONS = {"bar": 3, "line": 3, "counter": 2}
MAIN_QUERY = "main_query"


def _encoding(dashboard: Dashboard, widget: Widget, column: str) -> dict[str, Any]:
    kind = dashboard.kind(widget, column)
    scale: dict[str, Any] = {"type": SCALES[kind]}
    if column == widget.x and widget.sort:
        scale["sort"] = {"by": widget.sort}
    if column == widget.color and widget.colors:
        scale["mappings"] = [{"value": v, "color": c} for v, c in widget.colors.items()]
    encoding: dict[str, Any] = {
        "fieldName": column,
        "scale": scale,
        "displayName": column.replace("_", " "),
    }
    if kind == "percent":
        encoding["format"] = PERCENT_FORMAT
    return encoding


def _chart(dashboard: Dashboard, widget: Widget) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(encodings, query fields): rows as the dataset returns them (the SQL aggregates)."""
    fields = [{"name": f, "expression": f"`{f}`"} for f in widget.fields]
    channels = {"x": widget.x, "y": widget.y, "color": widget.color}
    encodings = {ch: _encoding(dashboard, widget, col) for ch, col in channels.items() if col}
    return encodings, fields


def _counter(dashboard: Dashboard, widget: Widget) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A counter over a one-row dataset: the sum of that row's value is the value."""
    name = f"sum({widget.y})"
    value = {**_encoding(dashboard, widget, widget.y), "fieldName": name}
    del value["scale"]
    return {"value": value}, [{"name": name, "expression": f"SUM(`{widget.y}`)"}]


def _widget_json(dashboard: Dashboard, widget: Widget) -> dict[str, Any]:
    counter = widget.chart == "counter"
    encodings, fields = (_counter if counter else _chart)(dashboard, widget)
    return {
        "name": widget.name,
        "queries": [
            {
                "name": MAIN_QUERY,
                "query": {
                    "datasetName": widget.dataset,
                    "fields": fields,
                    "disaggregated": not counter,
                },
            }
        ],
        "spec": {
            "version": SPEC_VERSIONS[widget.chart],
            "widgetType": widget.chart,
            "encodings": encodings,
            "frame": {"showTitle": True, "title": widget.title},
        },
    }


def _layout(dashboard: Dashboard, page: Page) -> list[dict[str, Any]]:
    """Widgets flow left to right on the six-column grid, a new row when one does not fit."""
    placed, x, y, row_height = [], 0, 0, 0
    for widget in page.widgets:
        if x + widget.width > GRID_WIDTH:
            x, y, row_height = 0, y + row_height, 0
        placed.append(
            {
                "widget": _widget_json(dashboard, widget),
                "position": {"x": x, "y": y, "width": widget.width, "height": widget.height},
            }
        )
        x, row_height = x + widget.width, max(row_height, widget.height)
    return placed


def to_lakeview(dashboard: Dashboard) -> dict[str, Any]:
    """The AI/BI (Lakeview) dashboard document."""
    return {
        "datasets": [
            {
                "name": ds.name,
                "displayName": ds.title,
                "queryLines": (ds.query() + "\n").splitlines(keepends=True),
            }
            for ds in dashboard.datasets.values()
        ],
        "pages": [
            {
                "name": page.name,
                "displayName": page.title,
                "pageType": "PAGE_TYPE_CANVAS",
                "layout": _layout(dashboard, page),
            }
            for page in dashboard.pages
        ],
    }


def serialized_dashboard(folder: Path = DASHBOARD_DIR) -> str:
    """``dashboards/`` as the ``serialized_dashboard`` string of a ``databricks.Dashboard``:
    stable (sorted keys), so an unchanged definition never shows as a diff."""
    return json.dumps(to_lakeview(load(folder)), indent=1, sort_keys=True)
