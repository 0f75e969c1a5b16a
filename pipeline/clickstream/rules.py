"""Silver's quality rules as data: ``{rule name: SQL boolean over Bronze columns}``.

A row that fails any rule goes to ``silver_quarantine`` with the names of the rules it failed;
the others continue to ``silver_events``. Lateness and unknown fields never fail a rule. On
Databricks the rules are also declared with ``dp.expect_all`` so the pass/fail counts reach the
pipeline event log: declared as :func:`null_safe` conditions, because an expectation's constraint
must be true or false for every record, and the verdict columns use the very same conditions, so
the event log's failed count of a rule equals the quarantined rows that name it.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from clickstream.contract import CORRUPT_RECORD_KEY, EVENT_TYPES, RESCUED_DATA


def parse_timestamp_sql(column: str) -> str:
    """ISO-8601 with any offset (or none: UTC), or epoch milliseconds; null when unparsable."""
    value = f"trim({column})"
    return (
        f"coalesce(try_cast({value} AS TIMESTAMP), "
        f"CASE WHEN {value} RLIKE '^[0-9]{{12,13}}$' "
        f"THEN timestamp_millis(try_cast({value} AS BIGINT)) END)"
    )


# When the event happened: `timestamp`, else `originalTimestamp`, else `receivedAt`.
EVENT_TIME_SQL = (
    f"coalesce({parse_timestamp_sql('`timestamp`')}, "
    f"{parse_timestamp_sql('originalTimestamp')}, {parse_timestamp_sql('receivedAt')})"
)

_TYPES = ", ".join(f"'{t}'" for t in EVENT_TYPES)

# Spark's JSON parser (Jackson) refuses a string longer than StreamReadConstraints'
# maxStringLength: 20,000,000 characters by default since jackson-core 2.15 (Spark 4.3 ships
# 2.21). Bronze then keeps such a line whole as a corrupt record, and the JSON functions cannot
# read that record back either (get_json_object returns null), so without this rule the line
# would pass `is_json_object` and fail every field rule instead: misleading. A line over the
# limit fails `line_within_parser_limits` and no other rule.
PARSER_MAX_STRING_LENGTH = 20_000_000
_OVER_PARSER_LIMITS = (
    f"(startswith({RESCUED_DATA}, '{{\"{CORRUPT_RECORD_KEY}\":') "
    f"AND length({RESCUED_DATA}) >= {PARSER_MAX_STRING_LENGTH})"
)


def _unless_over_parser_limits(condition: str) -> str:
    """A rule that holds for a line over the parser's limits (that line fails only the limit)."""
    return f"coalesce({_OVER_PARSER_LIMITS}, false) OR ({condition})"


SILVER_RULES: dict[str, str] = {
    "line_within_parser_limits": f"NOT coalesce({_OVER_PARSER_LIMITS}, false)",
    **{
        name: _unless_over_parser_limits(condition)
        for name, condition in {
            "is_json_object": (
                f"{RESCUED_DATA} IS NULL "
                f"OR get_json_object({RESCUED_DATA}, '$.{CORRUPT_RECORD_KEY}') IS NULL"
            ),
            "has_message_id": "nullif(trim(messageId), '') IS NOT NULL",
            "has_event_time": f"{EVENT_TIME_SQL} IS NOT NULL",
            "known_event_type": f"lower(trim(type)) IN ({_TYPES})",
            "has_user_or_anonymous_id": (
                "coalesce(nullif(trim(userId), ''), nullif(trim(anonymousId), '')) IS NOT NULL"
            ),
            # A row without a type is no track event (known_event_type reports it): null-safe.
            "track_has_event_name": (
                "coalesce(lower(trim(type)), '') <> 'track' OR nullif(trim(event), '') IS NOT NULL"
            ),
        }.items()
    },
}


def null_safe_sql(condition: str) -> str:
    """The condition as SQL that is true or false, never null (null counts as a failure)."""
    return f"coalesce(({condition}), false)"


def null_safe(rules: dict[str, str]) -> dict[str, str]:
    """Every rule as a null-safe condition: what ``dp.expect_all`` receives on Databricks."""
    return {name: null_safe_sql(condition) for name, condition in rules.items()}


def rule_holds(condition: str) -> Column:
    """A rule as a column that is true or false, never null (null counts as a failure)."""
    return F.expr(null_safe_sql(condition))


def passes_all(rules: dict[str, str]) -> Column:
    """True when a row passes every rule."""
    result = F.lit(True)
    for condition in rules.values():
        result = result & rule_holds(condition)
    return result


def failed_rule_names(rules: dict[str, str]) -> Column:
    """Array of the names of the rules a row fails, in the rules' order."""
    flags = [F.when(~rule_holds(c), F.lit(name)) for name, c in rules.items()]
    return F.filter(F.array(*flags), lambda name: name.isNotNull())
