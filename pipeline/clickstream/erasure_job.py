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

Task ``landing`` (:func:`rewrite_landing`) rewrites each of those files without the person's
lines (:mod:`clickstream.landing_erasure`) and records per file what happened
(``landing_files``: rewritten with the line count, unchanged, missing, or failed with the reason);
status ``landing rewritten``, or ``landing failed`` and the task fails (a failed file is left as
it was; repairing the run retries the task, which finds only what is left).

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

from clickstream import erasure, erasure_sql, landing_erasure
from clickstream.contract import ERASURE_REQUESTS, RAW_TABLES, SILVER_EVENTS, SOURCE_FILE
from clickstream.retention import purge as purge_sql
from clickstream.retention import qualified

REQUESTED, ERASING, ERASED, DONE = "requested", "erasing", "erased", "done"
LANDING_REWRITTEN, LANDING_FAILED = "landing rewritten", "landing failed"


class LandingRewriteError(Exception):
    """Some landing files could not be rewritten (their reasons are in the request row)."""


@dataclass(frozen=True)
class JobArgs:
    """The task parameters the job definition passes (infra/maintenance.py)."""

    request_id: str
    catalog: str
    schema: str
    raw_schema: str
    key_scope: str
    key_name: str
    landing_path: str = ""  # the landing folder (task landing only)

    @property
    def requests(self) -> str:
        return qualified(self.catalog, self.raw_schema, ERASURE_REQUESTS)


def parse_args(argv: Sequence[str]) -> JobArgs:
    parser = argparse.ArgumentParser(prog="erasure job")
    for name in ("request-id", "catalog", "schema", "raw-schema", "key-scope", "key-name"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--landing-path", default="")
    args = parser.parse_args(list(argv))
    if not args.request_id.strip():
        parser.error("--request-id is empty: start the job with clickstream-cloud forget")
    return JobArgs(
        args.request_id,
        args.catalog,
        args.schema,
        args.raw_schema,
        args.key_scope,
        args.key_name,
        args.landing_path,
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
    silver = spark.read.table(qualified(args.catalog, args.schema, SILVER_EVENTS))
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
    silver = spark.read.table(qualified(args.catalog, args.schema, SILVER_EVENTS))
    ledger_ids = erasure.silver_event_ids(silver, subject, event_ids) | event_ids
    statements = erasure_sql.erasure_statements(
        args.catalog, args.schema, subject, event_ids, ledger_ids
    )
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


def _recorded_files(request) -> list[str]:
    """The landing files of the request: the erase task's list, or a previous attempt's results."""
    recorded = json.loads(request["landing_files"] or "[]")
    return sorted({f if isinstance(f, str) else f["file"] for f in recorded})


def rewrite_landing(
    spark, args: JobArgs, key: str, files: landing_erasure.LandingFiles
) -> list[landing_erasure.FileResult]:
    """Task ``landing``: rewrite the request's landing files without the person's lines."""
    if not args.landing_path:
        raise ValueError("--landing-path is required by the landing task")
    request = _request(spark, args)
    if not request["subject"]:
        raise LookupError(f"erasure request {args.request_id!r} has not been erased yet")
    subject = erasure.Subject.from_dict(json.loads(request["subject"]))
    paths = _recorded_files(request)
    present = [p for p in paths if p.startswith(args.landing_path) and files.exists(p)]
    # The person's clear values, from what the raw tables still hold (other people's rows that
    # carry one of their ids) and the files' own lines (their deleted Bronze rows came from them).
    raw = _raw_rows(spark, args)
    lines = landing_erasure.landing_lines_as_raw(spark, present)
    if lines is not None:
        raw = raw.unionByName(lines.select(*raw.columns))
    clear = erasure.clear_values(raw, subject, key)
    drops = landing_erasure.lines_to_drop(spark, present, clear)
    results = landing_erasure.rewrite_files(files, paths, drops, args.landing_path)
    failed = [r for r in results if r.result == landing_erasure.FAILED]
    _update(
        spark,
        args,
        status=LANDING_FAILED if failed else LANDING_REWRITTEN,
        landing_files=json.dumps([r.as_dict() for r in results]),
    )
    if failed:
        raise LandingRewriteError(
            f"{len(failed)} of {len(results)} landing files could not be rewritten: "
            + "; ".join(f"{r.file}: {r.reason}" for r in failed)
        )
    return results


def purge(spark, args: JobArgs) -> None:
    """Task ``purge``: purge deletion vectors and vacuum every table erased from, and the log."""
    tables = erasure_sql.erased_tables(args.catalog, args.raw_schema, args.schema)
    for statement in purge_sql([*tables, args.requests]):
        spark.sql(statement)
    _update(spark, args, status=DONE)
