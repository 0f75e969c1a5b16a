"""``clickstream-local generate``: write sample clickstream files into a landing folder.

The generator itself is the ``clickstream_cli.sample_data`` package; this is its command line.

    python -m clickstream_cli.generate --out landing/clickstream --events 50000 --seed 7
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from clickstream_cli.sample_data import POPULATION_EPOCH, generate, summary


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _iso_datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 date/time: {text!r}") from err


def add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="landing folder (created)")
    parser.add_argument(
        "--events",
        type=_positive_int,
        required=True,
        help="distinct valid events; the faults come in addition",
    )
    parser.add_argument("--seed", type=int, default=7, help="event seed (default 7)")
    parser.add_argument(
        "--start",
        type=_iso_datetime,
        default=None,
        help=f"first day, ISO-8601, UTC if no offset (default {POPULATION_EPOCH.date()})",
    )
    parser.add_argument("--days", type=_positive_int, default=7, help="days covered (default 7)")
    parser.add_argument("--manifest", type=Path, help="write the manifest JSON here")


def run_generate(args: argparse.Namespace) -> int:
    try:
        manifest = generate(args.out, args.events, args.seed, args.start, args.days, args.manifest)
    except (FileExistsError, ValueError) as err:
        print(f"generate: {err}", file=sys.stderr)
        return 2
    print(summary(manifest, args.out))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="clickstream-local generate",
        description="Write sample Segment-spec clickstream files into a landing folder.",
    )
    add_generate_arguments(parser)
    return run_generate(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
