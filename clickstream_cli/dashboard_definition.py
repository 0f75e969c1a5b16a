"""The dashboard definition in ``dashboards/``: loaded, checked, and serialized for AI/BI.

One pyspark-free module that both readers use: the Pulumi program (``infra/dashboard.py``) turns it
into a Lakeview ``serialized_dashboard``; ``clickstream-local report`` runs the same SQL files and
draws the same widgets. :func:`load` refuses a definition where a widget names a dataset or a
field that does not exist, or a query reads a table outside the published schema.

The Lakeview JSON follows the dashboards Databricks exports (``*.lvdash.json`` in
databricks/bundle-examples): ``datasets`` with ``name``/``displayName``/``queryLines``; ``pages``
whose ``layout`` holds widgets with ``queries`` (``datasetName`` + ``fields``) and a ``spec``
(``widgetType``, ``version`` 3 for bar and line charts, ``encodings`` naming those fields).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from clickstream.contract import PUBLISHED_TABLES as PUBLISHED

DASHBOARD_DIR = Path(__file__).resolve().parent.parent / "dashboards"
LAYOUT_FILE = "layout.yml"
DATASETS_DIR = "datasets"

PUBLISHED_TABLES = frozenset(PUBLISHED)
CHARTS = ("bar", "line")
KINDS = ("string", "date", "number")
SCALES = {"string": "categorical", "date": "temporal", "number": "quantitative"}
FORMATS = {"percent": {"type": "number-percent", "decimalPlaces": {"type": "max", "places": 1}}}
GRID_WIDTH = 6  # AI/BI canvas pages are six columns wide
CHART_SPEC_VERSION = 3

_COMMENT = re.compile(r"--[^\n]*")
_TABLE_REF = re.compile(r"\b(?:FROM|JOIN)\s+([`\w.]+)", re.IGNORECASE)
_CTE_NAME = re.compile(r"(?:\bWITH|,)\s*(\w+)\s+AS\s*\(", re.IGNORECASE)


class DefinitionError(ValueError):
    """The dashboard definition is inconsistent; the message says where."""


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    columns: dict[str, str]  # column -> kind (string | date | number)
    sql: str

    def query(self) -> str:
        """The SQL without its leading comment lines (the file's header)."""
        lines = self.sql.strip().splitlines()
        while lines and lines[0].lstrip().startswith("--"):
            lines.pop(0)
        return "\n".join(lines).strip()


@dataclass(frozen=True)
class Widget:
    name: str
    title: str
    dataset: str
    chart: str
    x: str
    y: str
    color: str | None = None
    format: str | None = None
    width: int = 3
    height: int = 5

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for f in (self.x, self.y, self.color) if f)


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    widgets: tuple[Widget, ...]


@dataclass(frozen=True)
class Dashboard:
    title: str
    datasets: dict[str, Dataset]
    pages: tuple[Page, ...]

    @property
    def widgets(self) -> tuple[Widget, ...]:
        return tuple(w for page in self.pages for w in page.widgets)


def referenced_tables(sql: str) -> set[str]:
    """Tables a query reads (after FROM or JOIN), without its own CTE names; lower case."""
    text = _COMMENT.sub("", sql)
    ctes = {name.lower() for name in _CTE_NAME.findall(text)}
    tables = {ref.strip("`").lower() for ref in _TABLE_REF.findall(text)}
    return tables - ctes


def load(folder: Path = DASHBOARD_DIR) -> Dashboard:
    """Read ``layout.yml`` and the SQL files under ``folder``; raise DefinitionError if they do
    not agree."""
    layout = yaml.safe_load((folder / LAYOUT_FILE).read_text()) or {}
    sql_files = {p.stem: p for p in (folder / DATASETS_DIR).glob("*.sql")}
    declared = layout.get("datasets") or {}
    if set(sql_files) != set(declared):
        raise DefinitionError(
            f"datasets in {LAYOUT_FILE} {sorted(declared)} and SQL files {sorted(sql_files)} "
            "must match one to one"
        )
    datasets = {
        name: _dataset(name, spec, sql_files[name].read_text()) for name, spec in declared.items()
    }
    pages = tuple(_page(spec, datasets) for spec in layout.get("pages") or [])
    names = [w.name for page in pages for w in page.widgets] + [p.name for p in pages]
    if len(names) != len(set(names)):
        raise DefinitionError("page and widget names must be unique")
    if not pages:
        raise DefinitionError(f"{LAYOUT_FILE} has no pages")
    return Dashboard(title=str(layout.get("title") or "Dashboard"), datasets=datasets, pages=pages)


def _dataset(name: str, spec: dict[str, Any], sql: str) -> Dataset:
    columns = {str(k): str(v) for k, v in (spec.get("columns") or {}).items()}
    if not columns:
        raise DefinitionError(f"dataset {name}: declare the columns its query returns")
    bad = {c: k for c, k in columns.items() if k not in KINDS}
    if bad:
        raise DefinitionError(f"dataset {name}: kinds must be one of {KINDS}, got {bad}")
    outside = referenced_tables(sql) - PUBLISHED_TABLES
    if outside:
        raise DefinitionError(
            f"dataset {name} reads {sorted(outside)}: only published tables "
            f"{sorted(PUBLISHED_TABLES)} may back the dashboard"
        )
    return Dataset(name=name, title=str(spec.get("title") or name), columns=columns, sql=sql)


def _page(spec: dict[str, Any], datasets: dict[str, Dataset]) -> Page:
    widgets = tuple(_widget(w, datasets) for w in spec.get("widgets") or [])
    return Page(
        name=str(spec["name"]), title=str(spec.get("title") or spec["name"]), widgets=widgets
    )


def _widget(spec: dict[str, Any], datasets: dict[str, Dataset]) -> Widget:
    known = set(Widget.__dataclass_fields__)
    unknown = set(spec) - known
    if unknown:
        raise DefinitionError(f"widget {spec.get('name')}: unknown keys {sorted(unknown)}")
    widget = Widget(**spec)
    where = f"widget {widget.name}"
    if widget.chart not in CHARTS:
        raise DefinitionError(f"{where}: chart must be one of {CHARTS}, got {widget.chart!r}")
    if widget.dataset not in datasets:
        raise DefinitionError(f"{where}: no dataset named {widget.dataset!r}")
    missing = [f for f in widget.fields if f not in datasets[widget.dataset].columns]
    if missing:
        raise DefinitionError(f"{where}: dataset {widget.dataset} has no column {missing}")
    if widget.format is not None and widget.format not in FORMATS:
        raise DefinitionError(f"{where}: format must be one of {sorted(FORMATS)}")
    if not 1 <= widget.width <= GRID_WIDTH or widget.height < 1:
        raise DefinitionError(f"{where}: width 1-{GRID_WIDTH} and a positive height")
    return widget


def _encoding(field: str, dataset: Dataset, fmt: str | None = None) -> dict[str, Any]:
    encoding: dict[str, Any] = {
        "fieldName": field,
        "scale": {"type": SCALES[dataset.columns[field]]},
        "displayName": field.replace("_", " "),
    }
    if fmt:
        encoding["format"] = FORMATS[fmt]
    return encoding


def _widget_json(widget: Widget, dataset: Dataset) -> dict[str, Any]:
    encodings = {
        "x": _encoding(widget.x, dataset),
        "y": _encoding(widget.y, dataset, widget.format),
    }
    if widget.color:
        encodings["color"] = _encoding(widget.color, dataset)
    return {
        "name": widget.name,
        "queries": [
            {
                "name": "main_query",
                "query": {
                    "datasetName": dataset.name,
                    "fields": [{"name": f, "expression": f"`{f}`"} for f in widget.fields],
                    # Rows as the dataset returns them: the SQL already aggregates.
                    "disaggregated": True,
                },
            }
        ],
        "spec": {
            "version": CHART_SPEC_VERSION,
            "widgetType": widget.chart,
            "encodings": encodings,
            "frame": {"showTitle": True, "title": widget.title},
        },
    }


def _layout(page: Page, datasets: dict[str, Dataset]) -> list[dict[str, Any]]:
    """Widgets flow left to right on the six-column grid, a new row when one does not fit."""
    placed, x, y, row_height = [], 0, 0, 0
    for widget in page.widgets:
        if x + widget.width > GRID_WIDTH:
            x, y, row_height = 0, y + row_height, 0
        placed.append(
            {
                "widget": _widget_json(widget, datasets[widget.dataset]),
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
                "layout": _layout(page, dashboard.datasets),
            }
            for page in dashboard.pages
        ],
    }


def serialized_dashboard(folder: Path = DASHBOARD_DIR) -> str:
    """``dashboards/`` as the ``serialized_dashboard`` string of a ``databricks.Dashboard``:
    stable (sorted keys), so an unchanged definition never shows as a diff."""
    return json.dumps(to_lakeview(load(folder)), indent=1, sort_keys=True)
