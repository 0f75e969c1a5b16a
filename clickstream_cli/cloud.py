"""``clickstream-cloud``: run and inspect the Lakeflow pipeline a Pulumi stack deployed.

    clickstream-cloud run --stack dev [--full-refresh] [--table silver_events ...]
    clickstream-cloud status --stack dev

Exit codes: 0 the update completed (or status was shown), 1 the update failed or was canceled,
2 it could not be started (arguments, stack, credentials, network), 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Sequence

import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import DatabricksError
from rich.console import Console

from clickstream_cli import pipeline_updates
from clickstream_cli.progress_view import ProgressView, updates_table
from clickstream_cli.refresh_report import RecordingFeed, RefreshReport
from clickstream_cli.stack_outputs import PulumiStack, StackError
from clickstream_cli.workspace import WorkspaceError, connect, explain, make_client

EXIT_OK, EXIT_UPDATE_FAILED, EXIT_NOT_STARTED, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "clickstream-cloud"

# What a workspace call may raise; anything else is a bug and keeps its traceback.
API_ERRORS = (DatabricksError, TimeoutError, requests.RequestException, ValueError)


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
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(
    argv: Sequence[str] | None = None,
    *,
    stack_factory: Callable[[str], PulumiStack] = PulumiStack,
    client_factory: Callable[..., WorkspaceClient] = make_client,
    sleep: Callable[[float], None] = time.sleep,
    console: Console | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    _quiet_sdk_logs()
    console = console or Console()
    host = None
    try:
        stack = stack_factory(args.stack)
        pipeline_id = stack.pipeline_id()
        w = connect(
            profile=args.profile, fallback_host=stack.databricks_host, factory=client_factory
        )
        host = w.config.host
        if args.command == "status":
            return _status(w, pipeline_id, args.limit, console)
        code = _run(w, pipeline_id, args, console, sleep)
        if code == EXIT_OK and (dashboard := stack.dashboard_url()):
            console.print(f"Dashboard: {dashboard}", highlight=False, soft_wrap=True)
        return code
    except (StackError, WorkspaceError) as exc:
        return _fail(str(exc))
    except API_ERRORS as exc:
        return _fail(explain(exc, host))
    except KeyboardInterrupt:
        print(f"{PROG}: stopped following; the update goes on in the workspace", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(w: WorkspaceClient, pipeline_id: str, args, console: Console, sleep) -> int:
    update_id = pipeline_updates.start(
        w, pipeline_id, full_refresh=args.full_refresh, tables=args.table
    )
    console.print(f"Started update {update_id} of pipeline {pipeline_id}", highlight=False)
    console.print(f"  {w.config.host}/#joblist/pipelines/{pipeline_id}/updates/{update_id}")
    report = RefreshReport()
    feed = RecordingFeed(w, pipeline_id, update_id, report)
    with ProgressView(console) as view:
        progress = pipeline_updates.follow(
            w, pipeline_id, update_id, on_progress=view.show, sleep=sleep, feed=feed
        )
    view.final(progress)
    report.print(console)
    if progress.succeeded:
        console.print(f"Update {update_id} completed.", highlight=False)
        return EXIT_OK
    print(
        f"{PROG}: update {update_id} {progress.state.value}: {progress.failure_message()}",
        file=sys.stderr,
    )
    return EXIT_UPDATE_FAILED


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


if __name__ == "__main__":
    sys.exit(main())
