"""``clickstream-cloud``: run and inspect the Lakeflow pipeline a Pulumi stack deployed.

    clickstream-cloud run --stack dev [--full-refresh] [--table silver_events ...]
    clickstream-cloud status --stack dev
    clickstream-cloud forget --stack dev --user-id ID [--anonymous-id ID] [--email E]

Exit codes (docs/cloud-cli.md): 0 the update (or erasure run) completed (or status was shown), 1 it
failed or was canceled, 2 nothing was started (arguments, stack, credentials, network), 3 it was
started but following it failed (it goes on in the workspace), 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from databricks.sdk import WorkspaceClient
from rich.console import Console

from clickstream_cli import cloud_forget, pipeline_updates
from clickstream_cli.forget_command import add_identifier_arguments
from clickstream_cli.pipeline_updates import LostTrack
from clickstream_cli.progress_view import ProgressView, output_console, updates_table
from clickstream_cli.refresh_report import RefreshReport
from clickstream_cli.stack_outputs import PulumiStack, StackError
from clickstream_cli.workspace import (
    API_ERRORS,
    WorkspaceError,
    connect,
    explain,
    is_transient,
    make_client,
)

EXIT_OK, EXIT_UPDATE_FAILED, EXIT_NOT_STARTED, EXIT_LOST_TRACK = 0, 1, 2, 3
EXIT_INTERRUPTED = 130
PROG = "clickstream-cloud"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--stack", required=True, help="Pulumi stack that deployed the pipeline")
    common.add_argument(
        "--profile", help="~/.databrickscfg profile (default: environment, then DEFAULT profile)"
    )
    parser = argparse.ArgumentParser(
        prog=PROG, description="Run the Lakeflow pipeline deployed by a Pulumi stack."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", parents=[common], help="start an update and follow it to the end"
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="reset tables before running (all of them, or only the --table ones)",
    )
    run.add_argument(
        "--table",
        action="append",
        default=[],
        metavar="T",
        help="refresh only this table (repeatable)",
    )
    status = commands.add_parser("status", parents=[common], help="show the last updates")
    status.add_argument("--limit", type=_positive, default=5, help="how many updates (default 5)")
    forget = commands.add_parser(
        "forget", parents=[common], help="erase a person with the stack's erasure job"
    )
    add_identifier_arguments(forget)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


@dataclass
class _Run:
    """How far `run` got, so that an interruption or a failure says what became of the update."""

    stack: str
    host: str | None = None
    auth_type: str | None = None
    starting: bool = False
    update_id: str | None = None
    url: str | None = None
    noun: str = "update"  # or "erasure run"


def main(
    argv: Sequence[str] | None = None,
    *,
    stack_factory: Callable[[str], PulumiStack] = PulumiStack,
    client_factory: Callable[..., WorkspaceClient] = make_client,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    console: Console | None = None,
) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "forget" and not (args.user_id or args.anonymous_id or args.email):
        parser.error("forget needs --user-id, --anonymous-id or --email")
    _quiet_sdk_logs()
    console = console or output_console()
    run = _Run(args.stack)
    try:
        stack = stack_factory(args.stack)
        pipeline_id = stack.pipeline_id()
        w = connect(
            profile=args.profile, fallback_host=stack.databricks_host, factory=client_factory
        )
        run.host, run.auth_type = w.config.host, w.config.auth_type
        if args.command == "status":
            return _status(w, pipeline_id, args.limit, console)
        if args.command == "forget":
            return _forget(w, stack, args, console, run, sleep, clock)
        code = _run(w, pipeline_id, args, console, run, sleep, clock)
        if code == EXIT_OK and (dashboard := stack.dashboard_url()):
            console.print(f"Dashboard: {dashboard}", highlight=False, soft_wrap=True)
        return code
    except LostTrack as exc:
        return _lost_track(run, exc)
    except (StackError, WorkspaceError) as exc:
        return _fail(str(exc))
    except API_ERRORS as exc:
        message = explain(exc, run.host)
        if run.starting and is_transient(exc):
            message += f"; the update may have started anyway: {_status_hint(run)}"
        return _fail(message)
    except KeyboardInterrupt:
        return _interrupted(run)


def _run(
    w: WorkspaceClient, pipeline_id: str, args, console: Console, run: _Run, sleep, clock
) -> int:
    run.starting = True
    update_id = pipeline_updates.start(
        w, pipeline_id, full_refresh=args.full_refresh, tables=args.table
    )
    run.starting, run.update_id = False, update_id
    run.url = f"{w.config.host}/#joblist/pipelines/{pipeline_id}/updates/{update_id}"
    console.print(f"Started update {update_id} of pipeline {pipeline_id}", highlight=False)
    console.print(f"  {run.url}", highlight=False, soft_wrap=True)
    report = RefreshReport()
    with ProgressView(console) as view:
        progress = pipeline_updates.follow(
            w,
            pipeline_id,
            update_id,
            on_progress=view.show,
            on_events=report.add_all,
            sleep=sleep,
            clock=clock,
        )
    view.final(progress)
    report.print(console)
    if not progress.log_complete:
        print(
            f"{PROG}: the event log had not caught up when following ended; the totals above "
            f"may miss the last events: {run.url}",
            file=sys.stderr,
        )
    if progress.succeeded:
        console.print(f"Update {update_id} completed.", highlight=False)
        return EXIT_OK
    print(
        f"{PROG}: update {update_id} {progress.state.value}: {progress.failure_message()}",
        file=sys.stderr,
    )
    return EXIT_UPDATE_FAILED


def _forget(w: WorkspaceClient, stack, args, console: Console, run: _Run, sleep, clock) -> int:
    target = cloud_forget.Target.of(stack)
    request = cloud_forget.Request(tuple(args.user_id), tuple(args.anonymous_id), tuple(args.email))
    run.noun, run.starting = "erasure run", True
    request_id = cloud_forget.record_request(w, target, request)
    console.print(f"Recorded erasure request {request_id}", highlight=False)
    started = w.jobs.run_now(
        job_id=target.job_id,
        job_parameters={"request_id": request_id},
        idempotency_token=request_id,
    )
    run.starting, run.update_id = False, str(started.run_id)
    run.url = f"{w.config.host}/#job/{target.job_id}/run/{started.run_id}"
    console.print(f"Started erasure run {started.run_id}", highlight=False)
    console.print(f"  {run.url}", highlight=False, soft_wrap=True)
    succeeded = cloud_forget.follow_run(
        w,
        started.run_id,
        on_change=lambda line: console.print(f"  {line}", highlight=False),
        sleep=sleep,
        clock=clock,
    )
    if not succeeded:
        print(f"{PROG}: erasure run {started.run_id} did not succeed: {run.url}", file=sys.stderr)
        return EXIT_UPDATE_FAILED
    cloud_forget.print_counts(console, cloud_forget.erased_counts(w, target, request_id))
    console.print(f"Erasure request {request_id} done.", highlight=False)
    return EXIT_OK


def _status(w: WorkspaceClient, pipeline_id: str, limit: int, console: Console) -> int:
    updates = pipeline_updates.recent_updates(w, pipeline_id, limit)
    if not updates:
        console.print(f"Pipeline {pipeline_id} has no updates yet.", highlight=False)
        return EXIT_OK
    console.print(f"Last updates of pipeline {pipeline_id}:", highlight=False)
    console.print(updates_table(updates))
    return EXIT_OK


def _quiet_sdk_logs() -> None:
    # Without a handler, Python prints the SDK's warnings (e.g. an unreachable host-metadata
    # probe) to stderr; the one-line errors here already say what went wrong.
    sdk_logger = logging.getLogger("databricks.sdk")
    if not sdk_logger.handlers:
        sdk_logger.addHandler(logging.NullHandler())


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_NOT_STARTED


def _status_hint(run: _Run) -> str:
    return f"`{PROG} status --stack {run.stack}` shows its state"


def _lost_track(run: _Run, exc: LostTrack) -> int:
    print(
        f"{PROG}: lost track of {run.noun} {run.update_id}: {exc}. "
        f"It continues in the workspace: {run.url}",
        file=sys.stderr,
    )
    if exc.credentials:
        renew = {
            "pat": "create a new personal access token and set DATABRICKS_TOKEN",
            "azure-cli": "run `az login`",
        }.get(str(run.auth_type), "run `az login`, or set a new DATABRICKS_TOKEN")
        print(f"{PROG}: {renew}; then {_status_hint(run)}", file=sys.stderr)
    else:
        print(f"{PROG}: once the workspace answers again, {_status_hint(run)}", file=sys.stderr)
    return EXIT_LOST_TRACK


def _interrupted(run: _Run) -> int:
    if run.update_id:
        message = f"stopped following {run.noun} {run.update_id}; it goes on: {run.url}"
    elif run.starting:
        message = f"interrupted while starting the update; {_status_hint(run)}, if it started"
    else:
        message = "interrupted; no update was started"
    print(f"{PROG}: {message}", file=sys.stderr)
    return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
