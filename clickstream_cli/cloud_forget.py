"""``clickstream-cloud forget``: erase one person from a deployed stack.

1. The request goes into ``erasure_requests`` in the raw schema (the PII zone) through the SQL
   Statement Execution API on the stack's SQL warehouse, the identifiers as named parameters,
   never in the statement text.
2. The stack's erasure job starts with the job parameter ``request_id`` only (``run_now``, the
   request id doubling as idempotency token, so a retried call never starts two runs); the job
   replaces the clear identifiers with their hashes (``clickstream.erasure_job``).
3. The run is followed to its end, with ``clickstream-cloud run``'s exit codes; then the rows
   erased per table are read back from the request and printed.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import RunLifeCycleState, RunResultState
from databricks.sdk.service.sql import (
    StatementParameterListItem,
    StatementResponse,
    StatementState,
)
from rich.console import Console
from rich.table import Table

from clickstream.contract import ERASURE_REQUESTS
from clickstream_cli.erasure_log import Request
from clickstream_cli.pipeline_updates import OUTAGE_SECONDS, POLL_SECONDS, give_up_unless_transient
from clickstream_cli.stack_outputs import PulumiStack, StackError
from clickstream_cli.workspace import API_ERRORS, WorkspaceError

ENDED = frozenset(
    {RunLifeCycleState.TERMINATED, RunLifeCycleState.SKIPPED, RunLifeCycleState.INTERNAL_ERROR}
)
STATEMENT_WAIT = "30s"


@dataclass(frozen=True)
class Target:
    """What forget needs from the stack outputs."""

    job_id: int
    warehouse_id: str
    requests_table: str

    @classmethod
    def of(cls, stack: PulumiStack) -> Target:
        outputs = stack.outputs()
        values = {
            key: outputs.get(key)
            for key in ("erasure_job_id", "sql_warehouse_id", "catalog_name", "raw_schema_name")
        }
        missing = sorted(k for k, v in values.items() if not isinstance(v, str) or not v)
        if missing:
            raise StackError(
                f"stack '{stack.name}' has no {', '.join(missing)} output: deploy it first with "
                f"`pulumi up --stack {stack.name}`"
            )
        table = f"`{values['catalog_name']}`.`{values['raw_schema_name']}`.`{ERASURE_REQUESTS}`"
        return cls(int(str(values["erasure_job_id"])), str(values["sql_warehouse_id"]), table)


def _statement(w: WorkspaceClient, target: Target, sql: str, **parameters: str):
    response: StatementResponse = w.statement_execution.execute_statement(
        statement=sql,
        warehouse_id=target.warehouse_id,
        parameters=[StatementParameterListItem(name=k, value=v) for k, v in parameters.items()],
        wait_timeout=STATEMENT_WAIT,
    )
    state = response.status.state if response.status else None
    if state != StatementState.SUCCEEDED:
        error = response.status.error if response.status else None
        detail = error.message if error and error.message else f"state {state}"
        raise WorkspaceError(f"the statement on {target.requests_table} failed: {detail}")
    return response


def record_request(w: WorkspaceClient, target: Target, request: Request) -> str:
    """Insert the request; its id. Identifiers travel as parameters (JSON arrays)."""
    request_id = uuid.uuid4().hex
    _statement(
        w,
        target,
        f"INSERT INTO {target.requests_table} "
        "(request_id, requested_at, status, user_ids, anonymous_ids, emails) VALUES "
        "(:request_id, current_timestamp(), 'requested', from_json(:user_ids, 'array<string>'), "
        "from_json(:anonymous_ids, 'array<string>'), from_json(:emails, 'array<string>'))",
        request_id=request_id,
        **{kind: json.dumps(list(values)) for kind, values in request.identifiers().items()},
    )
    return request_id


def erased_counts(w: WorkspaceClient, target: Target, request_id: str) -> dict[str, int]:
    """Rows deleted per table, as the erase task recorded them."""
    response = _statement(
        w,
        target,
        f"SELECT erased FROM {target.requests_table} WHERE request_id = :request_id",
        request_id=request_id,
    )
    rows = (response.result.data_array if response.result else None) or []
    if not rows or not rows[0] or rows[0][0] is None:
        return {}
    return {str(k): int(v) for k, v in json.loads(rows[0][0]).items()}


def follow_run(
    w: WorkspaceClient,
    run_id: int,
    *,
    on_change: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Poll the run until it ends; True when it succeeded. Raises LostTrack like ``run``."""
    outage_since: float | None = None
    seen = ""
    while True:
        started = clock()
        try:
            run = w.jobs.get_run(run_id)
        except API_ERRORS as exc:
            outage_since = started if outage_since is None else outage_since
            give_up_unless_transient(exc, clock() - outage_since, OUTAGE_SECONDS)
            sleep(POLL_SECONDS)
            continue
        outage_since = None
        state = run.state
        life = state.life_cycle_state if state else None
        tasks = ", ".join(
            f"{t.task_key} {t.state.life_cycle_state.value}"
            for t in run.tasks or []
            if t.state and t.state.life_cycle_state
        )
        line = f"run {life.value if life else '?'}" + (f" ({tasks})" if tasks else "")
        if line != seen:
            on_change(line)
            seen = line
        if life in ENDED:
            return bool(state and state.result_state == RunResultState.SUCCESS)
        sleep(POLL_SECONDS)


def print_counts(console: Console, counts: dict[str, int]) -> None:
    table = Table("table", "rows erased")
    for name, rows in sorted(counts.items()):
        table.add_row(name, str(rows))
    console.print(table)
