"""The erasure job's steps on Databricks: one request of ``erasure_requests``, carried out.

``clickstream-cloud forget`` inserts the request (clear identifiers, in the raw schema: the PII
zone) and starts the job with its ``request_id``. Task ``erase`` (:func:`erase`):

1. hashes the identifiers under the PII key, expands the person with what Silver links to them,
   and finds their clear values and event ids in the raw tables (:mod:`clickstream.erasure`, the
   same functions the local ``forget`` uses);
2. replaces the clear identifiers in the request row with those hashes (status ``erasing``), so a
   re-run resumes from hashes and no clear identifier outlives the erasure;
3. deletes the raw rows with the DataFrame API (the predicate holds clear values: kept out of SQL
   text and query history), then the published rows with :func:`erasure_sql.erasure_statements`;
4. records per-table counts and the landing files that held their lines (status ``erased``).

Task ``purge`` (:func:`purge`) runs after the pipeline refresh has recomputed the views:
``REORG TABLE ... APPLY (PURGE)`` and ``VACUUM`` of every table deleted from, and of the request
table (whose history held the clear identifiers); then status ``done``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from clickstream import erasure, erasure_sql
from clickstream.contract import ERASURE_REQUESTS, RAW_TABLES, SOURCE_FILE
from clickstream.retention import purge as purge_sql
from clickstream.retention import qualified

REQUESTED, ERASING, ERASED, DONE = "requested", "erasing", "erased", "done"


@dataclass(frozen=True)
class JobArgs:
    """The task parameters the job definition passes (infra/maintenance.py)."""

    request_id: str
    catalog: str
    schema: str
    raw_schema: str
    key_scope: str
    key_name: str

    @property
    def requests(self) -> str:
        return qualified(self.catalog, self.raw_schema, ERASURE_REQUESTS)


def parse_args(argv: Sequence[str]) -> JobArgs:
    parser = argparse.ArgumentParser(prog="erasure job")
    for name in ("request-id", "catalog", "schema", "raw-schema", "key-scope", "key-name"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args(list(argv))
    if not args.request_id.strip():
        parser.error("--request-id is empty: start the job with clickstream-cloud forget")
    return JobArgs(
        args.request_id, args.catalog, args.schema, args.raw_schema, args.key_scope, args.key_name
    )


def _request(spark, args: JobArgs):
    rows = spark.sql(
        f"SELECT * FROM {args.requests} WHERE request_id = :id", args={"id": args.request_id}
    ).collect()
    if len(rows) != 1:
        raise LookupError(f"erasure request {args.request_id!r}: {len(rows)} rows in the table")
    return rows[0]


def _update(spark, args: JobArgs, **columns: str) -> None:
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    spark.sql(
        f"UPDATE {args.requests} SET {assignments} WHERE request_id = :request_id",
        args={**columns, "request_id": args.request_id},
    )


def _raw_rows(spark, args: JobArgs):
    from clickstream.schema import BRONZE_SCHEMA

    columns = [*BRONZE_SCHEMA.fieldNames(), SOURCE_FILE]
    frames = [
        spark.read.table(qualified(args.catalog, args.raw_schema, t)).select(*columns)
        for t in RAW_TABLES
    ]
    return reduce(lambda a, b: a.unionByName(b), frames)


def subject_of_request(spark, args: JobArgs, key: str, request) -> erasure.Subject:
    """The person's hashes: from the clear identifiers of a new request, or the stored ones."""
    if request["subject"]:
        return erasure.Subject.from_dict(json.loads(request["subject"]))
    given = erasure.subject_of(
        spark,
        key,
        user_ids=request["user_ids"] or (),
        anonymous_ids=request["anonymous_ids"] or (),
        emails=request["emails"] or (),
    )
    silver = spark.read.table(qualified(args.catalog, args.schema, "silver_events"))
    subject = erasure.expand(silver, given)
    raw = _raw_rows(spark, args)
    users = erasure.clear_values(raw, subject, key).user_ids
    emails = erasure.raw_trait_emails(raw, users)
    return subject.union(erasure.subject_of(spark, key, emails=emails))


def _delete_count(spark, statement: str) -> int:
    # Databricks' DELETE answers one row with num_affected_rows.
    rows = spark.sql(statement).collect()
    return int(rows[0]["num_affected_rows"]) if rows else 0


def erase(spark, args: JobArgs, key: str) -> dict[str, int]:
    """Task ``erase``: steps 1-4 of the module docstring; returns rows deleted per table."""
    # The Delta Lake Python API of the Databricks runtime (not installed locally).
    from delta.tables import DeltaTable  # type: ignore[import-not-found]

    request = _request(spark, args)
    subject = subject_of_request(spark, args, key, request)
    _update(spark, args, status=ERASING, subject=json.dumps(subject.as_dict()))
    spark.sql(
        f"UPDATE {args.requests} SET user_ids = NULL, anonymous_ids = NULL, emails = NULL "
        "WHERE request_id = :id",
        args={"id": args.request_id},
    )
    raw = _raw_rows(spark, args)
    clear = erasure.clear_values(raw, subject, key)
    event_ids = erasure.raw_event_ids(raw, clear)
    match = erasure.raw_match(clear)
    landing = sorted(
        r[0] for r in raw.where(match).select(SOURCE_FILE).distinct().collect() if r[0]
    )
    counts: dict[str, int] = {}
    for table in RAW_TABLES:
        name = qualified(args.catalog, args.raw_schema, table)
        counts[table] = spark.read.table(name).where(match).count()
        if counts[table]:
            DeltaTable.forName(spark, name).delete(match)
    statements = erasure_sql.erasure_statements(args.catalog, args.schema, subject, event_ids)
    for table, statement in zip(erasure_sql.DELETED_TABLES, statements, strict=True):
        counts[table] = _delete_count(spark, statement)
    _update(
        spark,
        args,
        status=ERASED,
        erased=json.dumps(counts, sort_keys=True),
        landing_files=json.dumps(landing),
    )
    return counts


def purge(spark, args: JobArgs) -> None:
    """Task ``purge``: purge deletion vectors and vacuum every table erased from, and the log."""
    tables = erasure_sql.erased_tables(args.catalog, args.raw_schema, args.schema)
    for statement in purge_sql([*tables, args.requests]):
        spark.sql(statement)
    _update(spark, args, status=DONE)
