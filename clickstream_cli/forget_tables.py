"""The tables of a local HOME that can hold a person's rows, and what kind of match each needs.

A table is found by its folder under the warehouse and classified by its columns, so a table the
pipeline adds later is covered without a list to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clickstream_cli.local_home import LocalHome


@dataclass(frozen=True)
class Table:
    name: str
    folder: Path
    kind: str  # raw, silver, sessions, dim_users, keyed, ledger
    columns: tuple[str, ...]


def _kind(columns: set[str]) -> str | None:
    if {"userId", "anonymousId"} <= columns:
        return "raw"
    if {"event_id", "anonymous_key", "user_key"} <= columns:
        return "silver"
    if {"session_id", "user_key"} <= columns:
        return "sessions"
    if {"email_hash", "user_key", "__START_AT"} <= columns:
        return "dim_users"
    if "user_key" in columns or "email_hash" in columns:
        return "keyed"
    if {"event_id", "failed_rules"} <= columns:
        return "ledger"  # gold_quality_ledger: event ids only
    return None  # counts only (daily metrics, data quality)


def discover_tables(spark, home: LocalHome) -> list[Table]:
    """Every table folder under the warehouse that can hold a person's rows."""
    tables: list[Table] = []
    if not home.warehouse.is_dir():
        return tables
    for folder in sorted(p for p in home.warehouse.iterdir() if p.is_dir()):
        if not any(folder.glob("*.parquet")):
            continue
        columns = tuple(spark.read.parquet(folder.as_uri()).columns)
        kind = _kind(set(columns))
        if kind:
            tables.append(Table(folder.name, folder, kind, columns))
    return tables
