"""The dashboard's datasets as terminal tables (rich), for ``clickstream-local show``.

One table per dataset, in the order of ``layout.yml``, with every declared column; values are
written by :func:`dashboards.rows.format_value`, as the report writes its headline figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

from dashboards.definition import Dashboard, Dataset
from dashboards.rows import Rows, format_value

TEXT_KINDS = ("string", "date")


def dataset_table(dataset: Dataset, rows: Rows) -> Table:
    """One dataset's rows as a rich table; numbers right-aligned."""
    table = Table(title=dataset.title, show_edge=False)
    for column, kind in dataset.columns.items():
        table.add_column(
            column.replace("_", " "), justify="left" if kind in TEXT_KINDS else "right"
        )
    for row in rows:
        table.add_row(*[format_value(row.get(c), k) for c, k in dataset.columns.items()])
    return table


def render_datasets(dashboard: Dashboard, results: Mapping[str, Rows], console: Any) -> None:
    """Print every dataset of the dashboard to a rich console."""
    for name, dataset in dashboard.datasets.items():
        console.print(dataset_table(dataset, results.get(name, [])))
