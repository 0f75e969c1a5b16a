"""``python -m benchmarks.run --events N [--json]``: floor, peer, the pipeline and its reruns.

1. generate N seeded events into a fresh landing folder (not timed);
2. time, each as a fresh process tree with its peak resident memory and the 1-minute load
   average when it started:
   (1) the floor (:mod:`benchmarks.floor`), (2) the peer (:mod:`benchmarks.peer`: the same work
   as a hand-written PySpark batch job), (3) ``clickstream-local run`` on a fresh HOME,
   (4) the same run again with no new data, (5) after generating 1 % of N more events with
   another seed into the same landing folder (generation not timed), the run again;
3. print the steps, where each run's time went (from its log under HOME/logs/) and the result;
   with ``--json``, the result as one last line.

Work files go to ``benchmarks/out/`` (git-ignored), emptied at the start.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from rich.console import Console

from benchmarks.measure import Measurement, measure
from benchmarks.results import breakdown_table, build_result, steps_table, summary_table
from benchmarks.timeline import breakdown, latest_log, read_timeline
from clickstream_cli.spark_pipelines_log import CONNECT_PORT

DEFAULT_WORKDIR = Path(__file__).resolve().parent / "out"
BASE_SEED = 1
INCREMENT_SEED = 2


class BenchmarkError(Exception):
    """A step failed; the message says which and where its output is."""


def cli_command() -> list[str]:
    """``clickstream-local`` from this environment (the path users run)."""
    script = Path(sys.executable).parent / "clickstream-local"
    return [str(script)] if script.exists() else [sys.executable, "-m", "clickstream_cli.local"]


def generate(landing: Path, events: int, seed: int, output: Path) -> None:
    command = cli_command() + [
        "generate",
        "--out",
        str(landing),
        "--events",
        str(events),
        "--seed",
        str(seed),
    ]
    with open(output, "w") as sink:
        code = subprocess.run(command, stdout=sink, stderr=subprocess.STDOUT).returncode
    if code != 0:
        raise BenchmarkError(
            f"generate --events {events} --seed {seed} failed ({code}); see {output}"
        )


def wait_for_free_port(port: int, console: Console, timeout_s: float = 900) -> None:
    """Wait, before the clock starts, until no other Spark Connect server holds ``port``."""
    deadline = time.monotonic() + timeout_s
    warned = False
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the JVM binds
            try:
                probe.bind(("0.0.0.0", port))
                return
            except OSError:
                pass
        if time.monotonic() > deadline:
            raise BenchmarkError(f"port {port} still held by another Spark Connect server")
        if not warned:
            console.print(f"  waiting for another Spark run to free port {port} (not timed)…")
            warned = True
        time.sleep(2)


def run_logs(home: Path) -> set[Path]:
    return set((home / "logs").glob("run-*.log"))


def timed(name: str, command: list[str], workdir: Path, console: Console) -> Measurement:
    output = workdir / f"{name}.out"
    console.print(f"[bold]{name}[/]: {' '.join(command[-6:])}")
    result = measure(command, output=output)
    if result.returncode != 0:
        tail = "\n".join(output.read_text(errors="replace").splitlines()[-15:])
        raise BenchmarkError(f"step {name} exited with {result.returncode}; see {output}\n{tail}")
    console.print(f"  {result.seconds:.1f} s, peak {result.peak_rss_mb:.0f} MB")
    return result


def run_benchmark(
    events: int,
    workdir: Path,
    driver_memory: str | None,
    console: Console,
    steps: dict[str, Measurement],
    breakdowns: dict[str, list],
    warnings: list[str],
) -> None:
    """All five steps, filling ``steps`` (measurements) and ``breakdowns`` (each pipeline run's
    time, from its log) as they complete, so a failure still leaves the earlier figures."""
    shutil.rmtree(workdir, ignore_errors=True)
    landing, home = workdir / "landing", workdir / "home"
    landing.mkdir(parents=True)
    console.print(f"generating {events:,} events (seed {BASE_SEED}, not timed)…")
    generate(landing, events, BASE_SEED, workdir / "generate.out")

    memory = ["--driver-memory", driver_memory] if driver_memory else []
    floor = [
        sys.executable,
        "-m",
        "benchmarks.floor",
        "--landing",
        str(landing),
        "--out",
        str(workdir / "floor-parquet"),
        *memory,
    ]
    peer = [
        sys.executable,
        "-m",
        "benchmarks.peer",
        "--landing",
        str(landing),
        "--out",
        str(workdir / "peer-parquet"),
        *memory,
    ]
    pipeline = cli_command() + ["run", "--landing", str(landing), "--home", str(home), *memory]

    steps["floor"] = timed("floor", floor, workdir, console)
    steps["peer"] = timed("peer", peer, workdir, console)
    for name in ("pipeline", "noop", "incremental"):
        if name == "incremental":
            extra = max(1, events // 100)
            console.print(f"generating {extra:,} more events (seed {INCREMENT_SEED}, not timed)…")
            generate(landing, extra, INCREMENT_SEED, workdir / "generate-increment.out")
        wait_for_free_port(CONNECT_PORT, console)
        before = run_logs(home)
        steps[name] = timed(name, pipeline, workdir, console)
        if not run_logs(home) - before:  # the CLI found nothing to do: no Spark, no run log
            breakdowns[name] = [("skipped: up to date, Spark not started", steps[name].seconds)]
            continue
        log = latest_log(home / "logs")
        if log is not None:
            timeline = read_timeline(log)
            if timeline.run_state != "COMPLETED":
                raise BenchmarkError(f"step {name}: run state {timeline.run_state}; see {log}")
            breakdowns[name] = breakdown(timeline, datetime.fromtimestamp(steps[name].started_at))
            if len(timeline.attempts) > 1:
                warnings.append(
                    f"step {name}: another Spark run took port {CONNECT_PORT}; its "
                    f"time includes {len(timeline.attempts) - 1} retried start(s)"
                )
                console.print(f"  [yellow]{warnings[-1]}[/]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Time the pipeline against a plain Spark floor and a hand-written peer job.",
    )
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--json", action="store_true", help="print the result as a last JSON line")
    parser.add_argument(
        "--driver-memory",
        default=None,
        help="passed to the floor, the peer and clickstream-local run (default: theirs)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help="emptied at the start (default benchmarks/out)",
    )
    args = parser.parse_args(argv)
    if args.events < 100:
        parser.error("--events must be at least 100 (the rerun adds 1 %)")
    console = Console(stderr=args.json)
    if not console.is_terminal:
        console.width = 120  # logs and pipes: room for the tables
    steps: dict[str, Measurement] = {}
    breakdowns: dict[str, list[tuple[str, float]]] = {}
    warnings: list[str] = []
    failure = None
    try:
        run_benchmark(
            args.events,
            args.workdir.resolve(),
            args.driver_memory,
            console,
            steps,
            breakdowns,
            warnings,
        )
    except BenchmarkError as error:
        failure = str(error)
    result = build_result(args.events, steps) if failure is None else None
    details = {
        "events": args.events,
        "result": result,
        "failure": failure,
        "driver_memory": args.driver_memory or "default",
        "steps": {name: vars(step) for name, step in steps.items()},
        "breakdowns": breakdowns,
        "warnings": warnings,
    }
    if args.workdir.is_dir():
        (args.workdir / "result.json").write_text(json.dumps(details, indent=2))
    console.print(steps_table(args.events, steps))
    for name, rows in breakdowns.items():
        console.print(breakdown_table(f"where the time went: {name}", rows))
    if result is None:
        console.print(f"[red]benchmark failed: {failure}[/]", highlight=False)
        return 1
    console.print(summary_table(result))
    for warning in warnings:
        console.print(f"[yellow]{warning}: time it again[/]", highlight=False)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
