"""Silver's quality rules as data: ``{rule name: SQL boolean over Bronze columns}``.

Evaluated once per row when the row enters Bronze (:func:`check_rules`, called by
``clickstream.bronze_events.ingest_lines``): a row that fails any rule goes to
``silver_quarantine`` with
the names of the rules it failed (``failed_rules``); the others continue to ``silver_events``.
Lateness and unknown fields never fail a rule. On Databricks the rules are also declared on
``bronze_events`` with ``dp.expect_all`` so the pass/fail counts reach the pipeline event log:
declared as :func:`null_safe` conditions, because an expectation's constraint must be true or
false for every record, and ``failed_rules`` uses the very same conditions, so the event log's
failed count of a rule equals the quarantined rows that name it.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from clickstream.contract import (
    CORRUPT_REASON,
    CORRUPT_RECORD_KEY,
    EVENT_TYPES,
    FAILED_RULES,
    INGESTED_AT,
    RESCUED_DATA,
)


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

# Names of the rules a line kept whole fails
# (``clickstream.bronze_events`` writes them as its reason).
NOT_A_JSON_OBJECT = "is_json_object"
REPEATED_KEYS = "no_repeated_keys"

# An event time is plausible from this instant on: nothing in a web or app clickstream predates
# it, and a clock reset to its epoch (1970-01-01, 0001-01-01) lands before it.
EARLIEST_EVENT_TIME = "2000-01-01 00:00:00Z"
# How far an event time may lie beyond the row's ingestion time: client clocks run ahead (a
# device set to the wrong day or time zone is off by up to a day: offsets span -12 h to +14 h).
# Segment corrects `timestamp` for skew from `sentAt` and `receivedAt`, but `originalTimestamp`
# and SDK output that never passed Segment carry the device clock (docs/platform-notes.md). With
# one day, no event lands on a date after tomorrow.
CLOCK_SKEW_TOLERANCE = "1 day"

# Spark's JSON parser (Jackson) refuses a string longer than StreamReadConstraints'
# maxStringLength: 20,000,000 characters by default since jackson-core 2.15 (Spark 4.3 ships
# 2.21). Bronze then keeps such a line whole as a corrupt record, and the JSON functions cannot
# read that record back either (get_json_object returns null), so without this rule the line
# would pass `is_json_object` and fail every field rule instead: misleading. A line over the
# limit fails `line_within_parser_limits` and no other rule.
PARSER_MAX_STRING_LENGTH = 20_000_000
_OVER_PARSER_LIMITS = (
    f"(startswith({RESCUED_DATA}, '{{\"{CORRUPT_RECORD_KEY}\":{{') "
    f"AND length({RESCUED_DATA}) >= {PARSER_MAX_STRING_LENGTH})"
)


def _kept_whole_for(reason: str) -> str:
    """SQL: Bronze kept the line whole for ``reason`` (a string field can never match)."""
    path = f"$.{CORRUPT_RECORD_KEY}.{CORRUPT_REASON}"
    return f"coalesce(get_json_object({RESCUED_DATA}, '{path}') = '{reason}', false)"


def repeats_a_key_sql(json_text: str) -> str:
    """SQL: the JSON object ``json_text`` holds a key twice (false when it is no object).

    ``from_json`` into a map keeps both copies of a repeated key; the map functions that build a
    new map (``map_concat``, ...) then throw DUPLICATED_MAP_KEY under Spark's default
    ``spark.sql.mapKeyDedupPolicy=EXCEPTION``. Counting keys builds no map.
    """
    keys = f"map_keys(from_json({json_text}, 'map<string,string>'))"
    return f"coalesce(size(array_distinct({keys})) < size({keys}), false)"


def repeats_a_key(fields: Column) -> Column:
    """A parsed map (``from_json`` into ``map<string,string>``) that holds a key twice."""
    return F.size(F.array_distinct(F.map_keys(fields))) < F.size(fields)


# The JSON objects Silver reads as maps or structs; deeper objects stay JSON text in Silver.
_OBJECTS_SILVER_READS = (
    "properties",
    "traits",
    "context",
    "get_json_object(context, '$.page')",
    "get_json_object(context, '$.traits')",
)
_NO_REPEATED_KEYS = f"NOT {_kept_whole_for(REPEATED_KEYS)} AND " + " AND ".join(
    f"NOT {repeats_a_key_sql(text)}" for text in _OBJECTS_SILVER_READS
)
_PLAUSIBLE_EVENT_TIME = (
    f"{EVENT_TIME_SQL} IS NULL OR ({EVENT_TIME_SQL} >= TIMESTAMP '{EARLIEST_EVENT_TIME}' "
    f"AND {EVENT_TIME_SQL} <= {INGESTED_AT} + INTERVAL {CLOCK_SKEW_TOLERANCE})"
)


def _unless_over_parser_limits(condition: str) -> str:
    """A rule that holds for a line over the parser's limits (that line fails only the limit)."""
    return f"coalesce({_OVER_PARSER_LIMITS}, false) OR ({condition})"


SILVER_RULES: dict[str, str] = {
    "line_within_parser_limits": f"NOT coalesce({_OVER_PARSER_LIMITS}, false)",
    **{
        name: _unless_over_parser_limits(condition)
        for name, condition in {
            NOT_A_JSON_OBJECT: f"NOT {_kept_whole_for(NOT_A_JSON_OBJECT)}",
            REPEATED_KEYS: _NO_REPEATED_KEYS,
            "has_message_id": "nullif(trim(messageId), '') IS NOT NULL",
            "has_event_time": f"{EVENT_TIME_SQL} IS NOT NULL",
            # Only judged when there is an event time (has_event_time reports a missing one).
            "plausible_event_time": _PLAUSIBLE_EVENT_TIME,
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


def check_rules(bronze: DataFrame, rules: dict[str, str] = SILVER_RULES) -> DataFrame:
    """Parsed Bronze rows + ``failed_rules``: the names of the rules each row fails."""
    return bronze.select("*", failed_rule_names(rules).alias(FAILED_RULES))
