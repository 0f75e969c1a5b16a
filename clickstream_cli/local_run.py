"""``clickstream-local run``: the real pipeline, through ``spark-pipelines``, on a landing folder.

The spec template ``pipeline/spark-pipeline.yml`` is filled in with paths under HOME and written
next to a fresh copy of the transformation files; ``spark-pipelines run`` then runs every table
that exists. Its output goes to a log file under HOME; the console shows the flows' progress and,
on failure, one readable line.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import yaml
from rich.console import Console

import clickstream
from clickstream import runtime
from clickstream.contract import BRONZE_EVENTS, GOLD_QUALITY_LEDGER, PIPELINE_TABLES
from clickstream_cli import file_faults
from clickstream_cli.local_home import LocalHome
from clickstream_cli.pipelines_launch import pipelines_command
from clickstream_cli.run_progress import RunProgress
from clickstream_cli.spark_pipelines_log import CONNECT_PORT, TERMINAL_FLOW_STATES


class RunError(Exception):
    """A run could not start or did not complete; the message is one readable line."""


class InputError(RunError):
    """The input is unusable (e.g. no landing folder); nothing was written."""


class RunInterrupted(RunError):
    """Ctrl-C or SIGTERM: the Spark processes were stopped; the next run resumes from the
    checkpoints."""


def _raise_interrupt(signum, _frame):
    raise KeyboardInterrupt


def pipeline_source_dir() -> Path:
    """The ``pipeline/`` folder of this checkout (the spec template and transformations)."""
    source = Path(clickstream.__file__).resolve().parent.parent
    if not (source / "spark-pipeline.yml").is_file():
        raise RunError(
            f"pipeline sources not found next to the clickstream package ({source}); "
            "install the project in editable mode (`make venv`)"
        )
    return source


def write_spec(home: LocalHome, landing: Path, source: Path) -> Path:
    """Copy the transformations under HOME and write the filled-in spec beside them."""
    template = yaml.safe_load((source / "spark-pipeline.yml").read_text())
    target = home.pipeline_dir
    shutil.rmtree(target / "transformations", ignore_errors=True)
    shutil.copytree(
        source / "transformations",
        target / "transformations",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    libraries = [
        entry
        for entry in template.get("libraries", [])
        if list((target).glob(entry["glob"]["include"]))
    ]
    configuration = dict(template.get("configuration", {}))
    configuration[runtime.RUNTIME_KEY] = runtime.LOCAL
    configuration[runtime.LANDING_PATH_KEY] = landing.as_uri()
    key = os.environ.get("CLICKSTREAM_PII_KEY")
    if key:
        configuration[runtime.PII_KEY_KEY] = key
    spec = dict(
        template, storage=home.storage.as_uri(), libraries=libraries, configuration=configuration
    )
    path = target / "spark-pipeline.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


# A full refresh rebuilds every table from Bronze, and Bronze only takes in new files: it holds
# the arrival time of every row (and rows whose landing files may be gone), so it is never reset
# (as `pipelines.reset.allowed` = false keeps it out of a Databricks full refresh). Nor is the
# quality ledger: it keeps the counts of raw rows retention has deleted.
KEPT_TABLES = (BRONZE_EVENTS, GOLD_QUALITY_LEDGER)
REBUILT_TABLES = tuple(t for t in PIPELINE_TABLES if t not in KEPT_TABLES)


def spark_pipelines_command(
    home: LocalHome, spec: Path, full_refresh: bool, driver_memory: str
) -> list[str]:
    # The pipelines CLI without the launcher JVM, every core (clickstream_cli.pipelines_launch).
    if not full_refresh:
        return pipelines_command(spec, home.static_spark_conf(), driver_memory)
    return pipelines_command(
        spec, home.static_spark_conf(), driver_memory, REBUILT_TABLES, KEPT_TABLES
    )


def child_environment(home: LocalHome) -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["PYSPARK_PYTHON"] = sys.executable
    env["PYSPARK_DRIVER_PYTHON"] = sys.executable
    env["SPARK_CONF_DIR"] = str(home.conf_dir)
    env.pop("SPARK_HOME", None)  # the pip-installed Spark of this environment, not another one
    return env


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def wait_for_connect_port(status, timeout_s: float = 600, poll_s: float = 2.0) -> None:
    """Wait while another local Spark Connect server (another run) holds the port."""
    deadline = time.monotonic() + timeout_s
    while not port_is_free(CONNECT_PORT):
        if time.monotonic() > deadline:
            raise RunError(
                f"port {CONNECT_PORT} is still in use after {timeout_s:.0f} s: another "
                "spark-pipelines run (or Spark Connect server) is running on this machine"
            )
        status.update(f"Waiting for another local Spark run to finish (port {CONNECT_PORT})…")
        time.sleep(poll_s)


def _one_line(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _attempt(
    command: list[str], home: LocalHome, log_path: Path, console: Console, started: float
) -> tuple[int, RunProgress]:
    """One ``spark-pipelines`` process: stream its output to the log and the progress display."""
    progress = RunProgress()
    # SIGTERM (a killed job, a CI timeout) must stop the Spark processes too: they run in a
    # session of their own so that the whole tree can be stopped at once.
    if threading.current_thread() is not threading.main_thread():
        return _follow(command, home, log_path, console, started, progress)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return _follow(command, home, log_path, console, started, progress)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _follow(
    command: list[str],
    home: LocalHome,
    log_path: Path,
    console: Console,
    started: float,
    progress: RunProgress,
) -> tuple[int, RunProgress]:
    starting = "Starting Spark (about 20 s)…"
    with open(log_path, "a", buffering=1) as log, console.status(starting) as status:
        wait_for_connect_port(status)
        status.update(starting)
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=child_environment(home),
            cwd=home.root,
            start_new_session=True,
        )
        try:
            assert process.stdout is not None
            for line in process.stdout:
                log.write(line)
                change = progress.feed(line)
                if "Registering graph elements" in line:
                    status.update("Registering the pipeline's datasets…")
                elif "Starting run" in line:
                    status.update("Running flows…")
                if change:
                    flow, state = change
                    elapsed = time.monotonic() - started
                    if state in TERMINAL_FLOW_STATES:
                        colour = "green" if state == "COMPLETED" else "red"
                        console.print(f"  {elapsed:6.1f}s  {flow:<22} [{colour}]{state}[/]")
                    else:
                        status.update(f"{flow}: {state.lower()}…")
            return process.wait(), progress
        except KeyboardInterrupt:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            raise RunInterrupted(
                f"interrupted; Spark stopped, the next run resumes from the checkpoints "
                f"(partial log: {log_path})"
            ) from None


def _lost_port_race(code: int, progress: RunProgress) -> bool:
    """Another run took the Connect port between our check and the server's start."""
    reason = progress.reason or ""
    return (
        code != 0
        and not progress.flows
        and "BindException" in reason
        and str(CONNECT_PORT) in reason
    )


def _warn(console: Console, faults: list[file_faults.FileFault]) -> None:
    for fault in faults:
        console.print(
            f"[yellow]warning: {file_faults.warning_line(fault)}[/]",
            highlight=False,
            soft_wrap=True,
        )


def run_pipeline(
    landing: Path,
    home_root: Path,
    full_refresh: bool = False,
    console: Console | None = None,
    driver_memory: str = "1g",
    port_attempts: int = 5,
) -> RunProgress:
    """Run the pipeline on ``landing`` with state under ``home_root``; raise RunError on failure."""
    console = console or Console(stderr=True)
    landing = landing.expanduser().resolve()
    if not landing.is_dir():
        raise InputError(f"landing folder {landing} does not exist (or is not a folder)")
    source = pipeline_source_dir()
    home = LocalHome(home_root.expanduser().resolve())
    home.prepare()
    spec = write_spec(home, landing, source)
    log_path = home.logs / f"run-{datetime.now():%Y%m%d-%H%M%S}.log"
    command = spark_pipelines_command(home, spec, full_refresh, driver_memory)
    started = time.monotonic()
    mode = "full refresh" if full_refresh else "incremental"
    console.print(f"[bold]clickstream-local run[/] ({mode}) landing={landing} home={home.root}")
    _warn(console, file_faults.inspect_landing(landing, home))
    for _ in range(port_attempts):
        code, progress = _attempt(command, home, log_path, console, started)
        if not _lost_port_race(code, progress):
            break
    _warn(console, file_faults.record_skipped_by_spark(progress.skipped_files, home))
    seconds = time.monotonic() - started
    if code != 0 or progress.run_state not in (None, "COMPLETED"):
        reason = progress.reason or f"spark-pipelines exited with code {code}"
        raise RunError(f"run failed: {_one_line(reason)} (full log: {log_path})")
    if progress.run_state is None:
        raise RunError(f"run did not report completion (full log: {log_path})")
    console.print(f"[green]Run COMPLETED[/] in {seconds:.0f} s; log: {log_path}")
    return progress
