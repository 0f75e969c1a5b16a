"""Run one command as a fresh process tree; return its wall time and peak resident memory.

Spark's work happens in JVMs that are children (or grandchildren) of the command, so the memory
sampler sums the resident set of the process and of all its descendants, every ``interval``
seconds, and keeps the largest sum. Shared pages count once per process (plain RSS), so the figure
errs on the high side.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

MB = 1024 * 1024


@dataclass(frozen=True)
class Measurement:
    """One timed command: wall seconds, peak summed RSS of its tree, exit code, start (epoch),
    processes in the tree at the peak, and the 1-minute load average when it started (other
    work on the machine skews the timing)."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    started_at: float
    peak_processes: int = 0
    load_at_start: float = 0.0


def tree_rss_bytes(root: psutil.Process) -> tuple[int, int]:
    """Summed RSS of ``root`` and all its descendants, and how many processes that was."""
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    total = 0
    counted = 0
    for process in processes:
        try:
            total += process.memory_info().rss
            counted += 1
        except psutil.Error:  # exited between listing and sampling
            continue
    return total, counted


def measure(
    command: Sequence[str],
    *,
    output: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = 0.2,
) -> Measurement:
    """Run ``command`` to completion, sampling its process tree's memory every ``interval`` s.

    The command's stdout and stderr go to ``output`` (or are discarded)."""
    sink = open(output, "w") if output else subprocess.DEVNULL
    try:
        load_at_start = os.getloadavg()[0]
        started_at = time.time()
        start = time.monotonic()
        process = subprocess.Popen(
            list(command), stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=cwd
        )
        root = psutil.Process(process.pid)
        peak = 0
        peak_processes = 0
        while process.poll() is None:
            total, counted = tree_rss_bytes(root)
            if total > peak:
                peak, peak_processes = total, counted
            try:
                process.wait(timeout=interval)
            except subprocess.TimeoutExpired:
                pass
        seconds = time.monotonic() - start
    finally:
        if output:
            sink.close()
    return Measurement(
        seconds=seconds,
        peak_rss_mb=peak / MB,
        returncode=process.returncode,
        started_at=started_at,
        peak_processes=peak_processes,
        load_at_start=round(load_at_start, 2),
    )
