"""``clickstream-local``: generate sample events, run the pipeline on open-source Spark, show it.

    clickstream-local generate --out DIR --events N [--seed S]
    clickstream-local run --landing DIR --home DIR [--full-refresh] [--force]
                          [--raw-retention-days N]
    clickstream-local show --home DIR
    clickstream-local report --home DIR [--out FILE]
    clickstream-local forget --home DIR --landing DIR [--user-id ID] [--anonymous-id ID]
                             [--email EMAIL] [--requests FILE]

``run`` exits 0 at once, without starting Spark, when nothing changed since the last completed
run (:mod:`clickstream_cli.run_state`); ``--force`` runs anyway. Either way it then deletes raw
data older than ``--raw-retention-days`` (:mod:`clickstream_cli.local_retention`).

Exit codes: 0 success (or up to date), 1 the run failed, 2 bad arguments or input, 130
interrupted (one readable line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from clickstream_cli.local_retention import DEFAULT_RAW_RETENTION_DAYS, positive_days
from clickstream_cli.pipelines_launch import DEFAULT_DRIVER_MEMORY


def _retention_days(text: str) -> int:
    try:
        return positive_days(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _parser() -> argparse.ArgumentParser:
    from clickstream_cli.generate import add_generate_arguments

    parser = argparse.ArgumentParser(
        prog="clickstream-local",
        description="Run the clickstream pipeline on open-source Spark, on your laptop.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write realistic Segment-spec events")
    add_generate_arguments(generate)

    run = commands.add_parser("run", help="run the whole pipeline on a landing folder")
    run.add_argument("--landing", required=True, type=Path, help="folder of raw event files")
    run.add_argument(
        "--home",
        required=True,
        type=Path,
        help="folder for tables, checkpoints, metastore and logs",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every table from Bronze; Bronze keeps its rows and arrival times and only "
        "takes in new files",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="run even when nothing changed since the last completed run",
    )
    run.add_argument(
        "--raw-retention-days",
        type=_retention_days,
        default=DEFAULT_RAW_RETENTION_DAYS,
        metavar="N",
        help="after the run, delete landing files last modified and Bronze/quarantine rows "
        f"ingested more than N days ago (default {DEFAULT_RAW_RETENTION_DAYS}, the stack "
        "setting rawRetentionDays); Silver and Gold keep theirs",
    )
    run.add_argument(
        "--driver-memory",
        default=DEFAULT_DRIVER_MEMORY,
        help=f"heap of the Spark Connect server, where the work runs "
        f"(default {DEFAULT_DRIVER_MEMORY})",
    )

    show = commands.add_parser("show", help="row counts, quarantine, samples, Gold report")
    show.add_argument("--home", required=True, type=Path, help="the HOME of a previous run")

    report = commands.add_parser(
        "report", help="the dashboard's charts as one self-contained HTML file"
    )
    report.add_argument("--home", required=True, type=Path, help="the HOME of a previous run")
    report.add_argument("--out", type=Path, help="HTML file to write (default HOME/report.html)")
    from clickstream_cli.forget_command import add_forget_arguments

    add_forget_arguments(
        commands.add_parser("forget", help="erase a person from the landing files and every table")
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        Console(stderr=True).print("[red]clickstream-local: interrupted[/]")
        return 130


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    errors = Console(stderr=True)
    if args.command == "generate":
        from clickstream_cli.generate import run_generate

        return run_generate(args)
    if args.command == "run":
        from clickstream_cli.local_retention import apply_retention
        from clickstream_cli.local_run import (
            InputError,
            RunError,
            RunInterrupted,
            pipeline_source_dir,
            run_pipeline,
        )
        from clickstream_cli.run_state import RunGate

        try:
            gate = RunGate.check(
                args.landing,
                args.home,
                pipeline_source_dir(),
                always=args.force or args.full_refresh,
            )
            if gate.since:
                errors.print(gate.message, highlight=False, soft_wrap=True)
            else:
                gate.starting()
                run_pipeline(args.landing, args.home, args.full_refresh, errors, args.driver_memory)
                gate.completed()
            # Only after a completed update: every raw row deleted has reached Silver and the
            # quality ledger.
            apply_retention(args.home, args.landing, args.raw_retention_days, errors)
        except RunError as error:
            errors.print(f"[red]clickstream-local: {error}[/]", highlight=False, soft_wrap=True)
            if isinstance(error, RunInterrupted):
                return 130
            return 2 if isinstance(error, InputError) else 1
        return 0
    if args.command == "forget":
        from clickstream_cli.forget_command import run_forget

        return run_forget(args, errors)
    if args.command == "report":
        return _report(args.home, args.out, errors)
    from clickstream_cli.local_show import ShowError, show

    try:
        show(args.home)
    except ShowError as error:
        errors.print(f"[red]clickstream-local: {error}[/]", highlight=False, soft_wrap=True)
        return 2
    return 0


def _report(home: Path, out: Path | None, errors: Console) -> int:
    from clickstream_cli.report import ReportError, write_report

    try:
        path = write_report(home, out)
    except ReportError as error:
        errors.print(f"[red]clickstream-local: {error}[/]", highlight=False, soft_wrap=True)
        return 2
    print(f"Report written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
