"""Raw-data retention on Databricks: the SQL that keeps raw rows at most ``rawRetentionDays``.

Bronze and the quarantine keep clear-text PII, so rows older than the limit (by ``_ingested_at``,
when they reached Bronze) are deleted. A Delta DELETE only marks rows in deletion vectors;
``REORG TABLE ... APPLY (PURGE)`` rewrites the files without them, and ``VACUUM`` removes the old
files once they are past the table's retention (Databricks, "Delete records from Delta Lake
tables"; docs/platform-notes.md, "Raw-data retention"). Streaming readers of these tables skip
the delete commits (``clickstream.silver_events.SKIP_CHANGE_COMMITS``). Published tables are not
touched: Gold keeps its history.

Plain strings, no Spark: a job (or an engineer in a SQL editor) runs them in order.
"""

from __future__ import annotations

import re

from clickstream.contract import INGESTED_AT, RAW_TABLES

# Unity Catalog names as infra/config accepts them (lower-case letters, digits, '_').
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,254}$")


def expired(days: int) -> str:
    """The predicate of a raw row older than ``days`` (by its arrival in Bronze)."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a positive whole number, got {days!r}")
    return f"{INGESTED_AT} < current_timestamp() - INTERVAL {days} DAYS"


def qualified(catalog: str, schema: str, table: str) -> str:
    """`catalog`.`schema`.`table`, the catalog and schema checked as Unity Catalog names."""
    for kind, name in (("catalog", catalog), ("schema", schema)):
        if not _NAME.match(name):
            raise ValueError(f"{kind} must be a Unity Catalog name (a-z, 0-9, _), got {name!r}")
    return f"`{catalog}`.`{schema}`.`{table}`"


def retention_statements(catalog: str, raw_schema: str, days: int) -> list[str]:
    """Every raw table: delete the expired rows, purge the deletion vectors, vacuum. In order."""
    predicate = expired(days)
    tables = [qualified(catalog, raw_schema, table) for table in RAW_TABLES]
    return [*(f"DELETE FROM {table} WHERE {predicate}" for table in tables), *purge(tables)]


def purge(tables: list[str]) -> list[str]:
    """Purge the deletion vectors of each (qualified) table, then vacuum it. In order."""
    return [
        *(f"REORG TABLE {table} APPLY (PURGE)" for table in tables),
        *(f"VACUUM {table}" for table in tables),
    ]
