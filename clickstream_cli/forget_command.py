"""The ``forget`` subcommand's arguments and exit codes (the work is in :mod:`forget`).

Exit codes: 0 every request erased and verified (or nothing of the person found), 1 the erasure
did not complete (it stays journalled; run ``forget`` again), 2 bad arguments or input (nothing
changed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console


def add_identifier_arguments(parser: argparse.ArgumentParser) -> None:
    """The person to forget (local and cloud ``forget``)."""
    parser.add_argument("--user-id", action="append", default=[], help="a userId (repeatable)")
    parser.add_argument(
        "--anonymous-id", action="append", default=[], help="an anonymousId (repeatable)"
    )
    parser.add_argument("--email", action="append", default=[], help="an email (repeatable)")


def add_forget_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", required=True, type=Path, help="the HOME of the local runs")
    parser.add_argument("--landing", required=True, type=Path, help="folder of raw event files")
    add_identifier_arguments(parser)
    parser.add_argument(
        "--requests",
        type=Path,
        help='JSON lines, one person each: {"user_id": ..., "anonymous_id": ..., '
        '"email": ...} (strings or lists)',
    )


def run_forget(args: argparse.Namespace, errors: Console) -> int:
    from clickstream_cli.forget import forget
    from clickstream_cli.forget_requests import (
        ForgetError,
        RequestError,
        read_requests,
        request_from,
    )

    try:
        requests = read_requests(args.requests) if args.requests else []
        if args.user_id or args.anonymous_id or args.email:
            requests.append(request_from(args.user_id, args.anonymous_id, args.email))
        forget(args.home, args.landing, requests, errors)
    except ForgetError as error:
        errors.print(f"[red]clickstream-local: {error}[/]", highlight=False, soft_wrap=True)
        return 2 if isinstance(error, RequestError) else 1
    return 0
