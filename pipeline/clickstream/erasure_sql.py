"""Right to erasure on Databricks: the SQL the erasure job runs, as plain strings. No Spark.

The job (``clickstream.erasure_job``) works out the person's :class:`~clickstream.erasure.Subject`
(pipeline hashes) and the ``event_id`` of their raw rows; this module turns them into statements:

1. :func:`erasure_statements`: ``DELETE`` from every table the pipeline maintains incrementally and
   that holds a person key or an email hash: Silver, ``gold_dim_users`` (the AUTO CDC target),
   ``gold_sessions`` and ``gold_session_links`` (written by the sessions sink), and the rows of
   their events in ``gold_quality_ledger`` (by ``event_id``, so the day's counts still add up).
   Each ``WHERE`` is
   the SQL form of the matcher in :mod:`clickstream.erasure` the local ``forget`` uses
   (``silver_match``, ``dim_users_match``, ``sessions_match``, ``keyed_match``); a test runs both
   on the same rows. Only hashes and event ids appear in the text, never a clear identifier: the
   raw tables, matched on clear values, are deleted through the DataFrame API by the job.
2. :data:`REFRESHED_VIEWS`: the materialized views are recomputed by a pipeline refresh instead
   (a view cannot be the target of a ``DELETE``).
3. :func:`clickstream.retention.purge`: ``REORG TABLE ... APPLY (PURGE)`` rewrites the files
   whose rows a deletion vector hides, then ``VACUUM`` removes unreferenced files older than
   the table's retention (docs/platform-notes.md, "Erasure and retention jobs").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from clickstream.contract import (
    GOLD_DAILY_COUNTS,
    GOLD_DAILY_IDENTITIES,
    GOLD_DAILY_METRICS,
    GOLD_DIM_USERS,
    GOLD_IDENTITY_LINKS,
    GOLD_QUALITY_COUNTS,
    GOLD_QUALITY_DAILY,
    GOLD_QUALITY_LEDGER,
    GOLD_SESSION_LINKS,
    GOLD_SESSION_STARTS,
    GOLD_SESSIONS,
    RAW_TABLES,
    SILVER_EVENTS,
)
from clickstream.erasure import Subject
from clickstream.retention import qualified

# Published tables that receive the erasure's DELETE (streaming tables and the sink's tables).
DELETED_TABLES = (
    SILVER_EVENTS,
    GOLD_DIM_USERS,
    GOLD_SESSIONS,
    GOLD_SESSION_LINKS,
    GOLD_QUALITY_LEDGER,
)
# Materialized views over them: recomputed by a refresh of exactly these (refresh_selection).
REFRESHED_VIEWS = (
    GOLD_IDENTITY_LINKS,
    GOLD_SESSION_STARTS,
    GOLD_DAILY_IDENTITIES,
    GOLD_DAILY_COUNTS,
    GOLD_QUALITY_COUNTS,
    GOLD_DAILY_METRICS,
    GOLD_QUALITY_DAILY,
)
_HASH = re.compile(r"^[0-9a-f]{64}$")


def literal(value: str) -> str:
    """A Spark SQL string literal of any text (backslash and quote escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _hashes(values: Iterable[str]) -> list[str]:
    found = sorted(set(values))
    for value in found:
        if not _HASH.match(value):
            raise ValueError(f"not a hex HMAC-SHA-256: {value!r}")
    return found


def _in(column: str, values: Iterable[str]) -> str:
    values = sorted(set(values))
    if not values:
        return "FALSE"
    return f"{column} IN ({', '.join(literal(v) for v in values)})"


def silver_predicate(subject: Subject, event_ids: Iterable[str] = ()) -> str:
    """SQL of ``erasure.silver_match``: keys, email hash (also as a hashed property), raw copy."""
    emails = _hashes(subject.email_hashes)
    in_properties = (
        f"arrays_overlap(map_values(properties), array({', '.join(map(literal, emails))}))"
        if emails
        else "FALSE"
    )
    return " OR ".join(
        (
            _in("user_key", _hashes(subject.user_keys)),
            f"(user_key IS NULL AND {_in('anonymous_key', _hashes(subject.anonymous_keys))})",
            _in("email_hash", emails),
            f"coalesce({in_properties}, FALSE)",
            _in("event_id", event_ids),
        )
    )


def dim_users_predicate(subject: Subject) -> str:
    """SQL of ``erasure.dim_users_match``: their user key or their email hash."""
    return (
        f"{_in('user_key', _hashes(subject.user_keys))} "
        f"OR {_in('email_hash', _hashes(subject.email_hashes))}"
    )


def sessions_predicate(subject: Subject) -> str:
    """SQL of ``erasure.sessions_match``: the session's identity is one of their keys."""
    return _in("user_key", _hashes(subject.user_keys | subject.anonymous_keys))


def session_links_predicate(subject: Subject) -> str:
    """SQL of ``erasure.keyed_match`` on ``gold_session_links`` (anonymous key -> user)."""
    keys = _hashes(subject.user_keys | subject.anonymous_keys)
    return f"{_in('anonymous_key', keys)} OR {_in('user_key', keys)}"


def ledger_predicate(event_ids: Iterable[str]) -> str:
    """SQL of ``erasure.ledger_match``: the ledger rows of the person's events."""
    return _in("event_id", event_ids)


def erasure_statements(
    catalog: str,
    schema: str,
    subject: Subject,
    event_ids: Iterable[str] = (),
    ledger_event_ids: Iterable[str] = (),
) -> list[str]:
    """The DELETEs of the published tables, in the order a reader meets them.

    ``event_ids``: the person's raw rows' ids; ``ledger_event_ids``: those and their Silver rows'
    ids (``erasure.silver_event_ids``), what the quality ledger holds of them."""
    event_ids, ledger_event_ids = list(event_ids), list(ledger_event_ids)
    if subject.is_empty() and not event_ids and not ledger_event_ids:
        return []
    where = {
        SILVER_EVENTS: silver_predicate(subject, event_ids),
        GOLD_DIM_USERS: dim_users_predicate(subject),
        GOLD_SESSIONS: sessions_predicate(subject),
        GOLD_SESSION_LINKS: session_links_predicate(subject),
        GOLD_QUALITY_LEDGER: ledger_predicate(ledger_event_ids),
    }
    return [
        f"DELETE FROM {qualified(catalog, schema, table)} WHERE {where[table]}"
        for table in DELETED_TABLES
    ]


def erased_tables(catalog: str, raw_schema: str, schema: str) -> list[str]:
    """Every table an erasure deletes from: the raw tables, then the published ones."""
    return [
        *(qualified(catalog, raw_schema, table) for table in RAW_TABLES),
        *(qualified(catalog, schema, table) for table in DELETED_TABLES),
    ]
