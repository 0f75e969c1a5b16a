"""The dashboard definition: ``layout.yml`` and ``datasets/*.sql``, loaded and checked.

:func:`load` returns a :class:`Dashboard` that every renderer draws (the AI/BI JSON in
:mod:`dashboards.lakeview`, the HTML report in :mod:`dashboards.html_report`, ``clickstream-local
show`` through :mod:`dashboards.terminal`). It refuses a definition where a widget names a dataset
or a column that does not exist, a categorical axis has no explicit order, or a query reads a
table outside the published schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from clickstream.contract import PUBLISHED_TABLES
from dashboards.sql import TemplateError, fill, referenced_tables, strip_header

DASHBOARD_DIR = Path(__file__).resolve().parent
LAYOUT_FILE = "layout.yml"
DATASETS_DIR = "datasets"

CHARTS = ("bar", "line", "counter")
# Column kinds: percent is a number drawn as a percentage (0.25 -> 25%).
KINDS = ("string", "date", "number", "percent")
# Orders of a categorical axis both renderers know: the labels' own order, or by value, largest
# first (the AI/BI scale.sort values; plotly's "category ascending" and "total descending").
SORTS = ("natural-order", "y-reversed")
GRID_WIDTH = 6  # AI/BI canvas pages are six columns wide


class DefinitionError(ValueError):
    """The dashboard definition is inconsistent; the message says where."""


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    columns: dict[str, str]  # column -> kind
    sql: str  # the file as written (header comment, ${CONTRACT} placeholders)

    def query(self) -> str:
        """The SQL to run: contract values filled in, without the header comment."""
        return strip_header(fill(self.sql))


@dataclass(frozen=True)
class Widget:
    name: str
    title: str
    dataset: str
    chart: str
    y: str
    x: str | None = None  # every chart but a counter
    color: str | None = None  # one series per value
    sort: str | None = None  # order of a categorical x axis
    colors: dict[str, str] = field(default_factory=dict)  # color value -> CSS colour
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

    @property
    def tables(self) -> frozenset[str]:
        """Every table the datasets read."""
        return frozenset(t for ds in self.datasets.values() for t in referenced_tables(ds.query()))

    def kind(self, widget: Widget, column: str | None) -> str:
        """The declared kind of one of ``widget``'s columns ("string" for none)."""
        return self.datasets[widget.dataset].columns[column] if column else "string"


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
    dataset = Dataset(name=name, title=str(spec.get("title") or name), columns=columns, sql=sql)
    try:
        query = dataset.query()
    except TemplateError as error:
        raise DefinitionError(f"dataset {name}: {error}") from None
    outside = referenced_tables(query) - set(PUBLISHED_TABLES)
    if outside:
        raise DefinitionError(
            f"dataset {name} reads {sorted(outside)}: only published tables "
            f"{sorted(PUBLISHED_TABLES)} may back the dashboard"
        )
    return dataset


def _page(spec: dict[str, Any], datasets: dict[str, Dataset]) -> Page:
    widgets = tuple(_widget(w, datasets) for w in spec.get("widgets") or [])
    return Page(
        name=str(spec["name"]), title=str(spec.get("title") or spec["name"]), widgets=widgets
    )


def _widget(spec: dict[str, Any], datasets: dict[str, Dataset]) -> Widget:
    unknown = set(spec) - set(Widget.__dataclass_fields__)
    if unknown:
        raise DefinitionError(f"widget {spec.get('name')}: unknown keys {sorted(unknown)}")
    widget = Widget(**spec)
    where = f"widget {widget.name}"
    if widget.chart not in CHARTS:
        raise DefinitionError(f"{where}: chart must be one of {CHARTS}, got {widget.chart!r}")
    if widget.dataset not in datasets:
        raise DefinitionError(f"{where}: no dataset named {widget.dataset!r}")
    columns = datasets[widget.dataset].columns
    missing = [f for f in widget.fields if f not in columns]
    if missing:
        raise DefinitionError(f"{where}: dataset {widget.dataset} has no column {missing}")
    if (widget.chart == "counter") != (widget.x is None):
        raise DefinitionError(f"{where}: a counter has no x; every other chart has one")
    if widget.sort is not None and widget.sort not in SORTS:
        raise DefinitionError(f"{where}: sort must be one of {SORTS}")
    if widget.x and columns[widget.x] == "string" and widget.sort is None:
        raise DefinitionError(f"{where}: a categorical x axis needs an explicit sort {SORTS}")
    if widget.colors and not widget.color:
        raise DefinitionError(f"{where}: colors map the values of a color column; name one")
    if not 1 <= widget.width <= GRID_WIDTH or widget.height < 1:
        raise DefinitionError(f"{where}: width 1-{GRID_WIDTH} and a positive height")
    return widget
