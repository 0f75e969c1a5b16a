"""Gold data quality per ingestion day: rows in, rows quarantined per rule, rows accepted,
duplicates removed. Counts that outlive the raw rows they count.

Three steps:

1. ``gold_quality_ledger`` (:func:`quality_ledger`): a streaming, append-only table fed from
   Bronze, one row per Bronze row: its UTC ingestion date, its ``event_id`` (the trimmed
   ``messageId``, as Silver publishes it) and its ``failed_rules``. No row content, no PII. Raw
   retention deletes old Bronze and quarantine rows; the ledger keeps their verdicts, so the
   counts of a day survive its raw rows. Its stream skips Bronze's delete commits on Databricks
   and is kept out of full refreshes (as Bronze is): it cannot be rebuilt from pruned Bronze.
   An erasure deletes a person's rows here by ``event_id``, as it does in Silver.
2. ``gold_quality_counts`` (:func:`quality_counts`): one row per UTC ingestion date with the rows
   received and quarantined (in total and per Silver rule), from the ledger, and accepted, from
   Silver. A GROUP BY at the top over the UNION ALL of one projection per source, so Databricks
   can refresh it incrementally; no ``explode`` and no join under the aggregate.
3. ``gold_quality_daily`` (:func:`quality_daily`): those counts as ``(ingest_date, rule, rows)``
   plus the ``duplicates`` difference; declared as a full refresh, which reads one row per day.

Counts only, never row content: the tables are published, so engineers and the dashboard see data
quality without reading the raw zone.

- **The day** is the UTC date of ``_ingested_at`` (when the row reached Bronze), the date a
  problem with a delivery shows up on, whatever the events' own timestamps say.
- **rule** is a Silver rule name (rows quarantined by that rule; a row failing two rules counts
  under both; a rule appears on a day only when it quarantined a row) or one of the totals of
  the row accounting, each row counted once: ``received`` (Bronze) = ``quarantined`` +
  ``accepted`` (Silver) + ``duplicates``. ``quarantined`` counts the Bronze rows with a failed
  rule, which are exactly the quarantine's rows (``clickstream.silver_events.quarantine_rows``).
- **duplicates** is that difference per ingestion date: the copies Silver's dedupe dropped count
  on the date they arrived. It is never negative: Silver keeps, of every event, the first valid
  copy in the order arrival, ``_source_file``, content (``clickstream.dedupe``), with that copy's
  own ``_ingested_at``, so each Silver row is a distinct valid Bronze row of the same date; and
  rebuilds keep Bronze's arrival times, so the dates stay put.

Only ``select``, aggregations, joins and ``unionByName`` are used: the operations that stay
correct when a pipeline dataset reads another one (see the open-source Spark notes).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from clickstream.contract import (
    FAILED_RULES,
    INGESTED_AT,
    QUALITY_ACCEPTED,
    QUALITY_DAILY_COLUMNS,
    QUALITY_DUPLICATES,
    QUALITY_LEDGER_COLUMNS,
    QUALITY_QUARANTINED,
    QUALITY_RECEIVED,
    QUALITY_TOTALS,
)
from clickstream.gold_sessions import utc_date
from clickstream.rules import SILVER_RULES

INGEST_DATE, RULE, ROWS = QUALITY_DAILY_COLUMNS
_, EVENT_ID, _ = QUALITY_LEDGER_COLUMNS
_SOURCE_TOTALS = (QUALITY_RECEIVED, QUALITY_QUARANTINED, QUALITY_ACCEPTED)
RULE_COLUMN_PREFIX = "failed_"
# Like Bronze, the ledger holds what cannot be recomputed once raw rows are pruned: kept out of
# full refreshes (`pipelines.reset.allowed`, Lakeflow table properties reference; locally
# clickstream_cli.local_run.KEPT_TABLES).
LEDGER_TABLE_PROPERTIES = {"quality": "gold", "pipelines.reset.allowed": "false"}


def rule_column(rule: str) -> str:
    """The ``gold_quality_counts`` column counting rows quarantined by ``rule``."""
    return RULE_COLUMN_PREFIX + rule


def _one_if(condition: Column) -> Column:
    return F.when(condition, 1).otherwise(0).cast("bigint")


def quality_ledger(bronze: DataFrame) -> DataFrame:
    """Bronze rows (a stream or not) -> ``gold_quality_ledger``: ingestion date, event id and
    failed rules of each row, nothing else."""
    return bronze.select(
        utc_date(F.col(INGESTED_AT)).alias(INGEST_DATE),
        F.trim(F.col("messageId")).alias(EVENT_ID),
        F.col(FAILED_RULES),
    )


def _counted(
    rows: DataFrame, day: Column, total: str, failed: Column | None, rules: list[str]
) -> DataFrame:
    """One source's rows as ``ingest_date``, a 1 under ``total`` (``received`` for a ledger row,
    ``accepted`` for a Silver row), ``quarantined`` and per-rule 0/1 flags from ``failed``."""
    zero = F.lit(0).cast("bigint")
    flags = {name: F.lit(1 if name == total else 0).cast("bigint") for name in _SOURCE_TOTALS}
    if failed is not None:
        flags[QUALITY_QUARANTINED] = _one_if(F.size(failed) > 0)
    return rows.select(
        day.alias(INGEST_DATE),
        *[flag.alias(name) for name, flag in flags.items()],
        *[
            (_one_if(F.array_contains(failed, r)) if failed is not None else zero).alias(
                rule_column(r)
            )
            for r in rules
        ],
    )


def quality_counts(
    ledger: DataFrame, silver: DataFrame, rules: Iterable[str] = SILVER_RULES
) -> DataFrame:
    """Ledger + Silver -> ``gold_quality_counts``: per ingestion date, the rows received,
    quarantined (in total and per rule) and accepted."""
    rules = list(rules)
    union = _counted(
        ledger, F.col(INGEST_DATE), QUALITY_RECEIVED, F.col(FAILED_RULES), rules
    ).unionByName(_counted(silver, utc_date(F.col(INGESTED_AT)), QUALITY_ACCEPTED, None, rules))
    columns = [*_SOURCE_TOTALS, *map(rule_column, rules)]
    return union.groupBy(INGEST_DATE).agg(*[F.sum(c).alias(c) for c in columns])


def quality_daily(counts: DataFrame, rules: Iterable[str] = SILVER_RULES) -> DataFrame:
    """``gold_quality_counts`` -> ``gold_quality_daily`` (``QUALITY_DAILY_COLUMNS``)."""
    totals = {name: F.col(name).cast("bigint") for name in _SOURCE_TOTALS}
    totals[QUALITY_DUPLICATES] = (
        totals[QUALITY_RECEIVED] - totals[QUALITY_QUARANTINED] - totals[QUALITY_ACCEPTED]
    )
    pairs = [(F.lit(n), totals[n]) for n in QUALITY_TOTALS] + [
        (F.lit(r), F.col(rule_column(r)).cast("bigint")) for r in rules
    ]
    per_row = F.explode(F.array(*[F.struct(n.alias(RULE), v.alias(ROWS)) for n, v in pairs]))
    rows = counts.select(INGEST_DATE, per_row.alias("_r")).select(
        INGEST_DATE, F.col(f"_r.{RULE}").alias(RULE), F.col(f"_r.{ROWS}").alias(ROWS)
    )
    # A rule shows on a day only when it quarantined something; the totals always show.
    return rows.where(F.col(RULE).isin(*QUALITY_TOTALS) | (F.col(ROWS) > 0))


def daily_totals(bronze: DataFrame, silver: DataFrame) -> DataFrame:
    """One row per ingestion date: ``received``, ``quarantined``, ``accepted``, ``duplicates``."""
    counts = quality_counts(quality_ledger(bronze), silver, rules=())
    return counts.select(
        INGEST_DATE,
        *_SOURCE_TOTALS,
        (F.col(QUALITY_RECEIVED) - F.col(QUALITY_QUARANTINED) - F.col(QUALITY_ACCEPTED)).alias(
            QUALITY_DUPLICATES
        ),
    )


def build_quality_daily(bronze: DataFrame, silver: DataFrame) -> DataFrame:
    """Bronze + Silver -> ``gold_quality_daily``: the three steps, composed (the ledger of
    every Bronze row)."""
    return quality_daily(quality_counts(quality_ledger(bronze), silver))
