"""Running the datasets, and showing one value the way every local renderer shows it.

:func:`run_datasets` runs each dataset's SQL in the caller's SparkSession (no pyspark import here:
the cloud-only jobs that serialize the dashboard have none) and returns plain rows.
:func:`format_value` is the one text form of a value of a given kind, for the report's headline
figures and the terminal tables alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dashboards.definition import Dashboard

Row = Mapping[str, Any]
Rows = Sequence[Row]


def run_datasets(spark: Any, dashboard: Dashboard) -> dict[str, list[dict[str, Any]]]:
    """Each dataset's rows (as dicts, in the query's order), keyed by dataset name.

    The queries use unqualified table names, which resolve in the session's current database.
    """
    return {
        name: [row.asDict() for row in spark.sql(dataset.query()).collect()]
        for name, dataset in dashboard.datasets.items()
    }


def format_value(value: Any, kind: str) -> str:
    """``value`` as text: percent as 12.5%, whole numbers with separators, money-like decimals
    with two places, dates as ISO dates; "-" for none."""
    if value is None:
        return "-"
    if kind == "percent":
        return f"{float(value):.1%}"
    if isinstance(value, bool) or kind == "string":
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (float, Decimal)):
        return f"{value:,.2f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)
