"""Run one command as a fresh process tree; return its wall time and peak resident memory.

Spark's work happens in JVMs that are children (or grandchildren) of the command, so the memory
sampler sums the resident set of the process and of all its descendants, every ``interval``
seconds, and keeps the largest sum. Shared pages count once per process (plain RSS), so the figure
errs on the high side, with one exception: a child caught between fork and exec (a JVM starting
a helper process: Java 17 spawns through ``posix_spawn``, whose child shares the parent's address
space until it execs) has its parent's exact memory, not memory of its own. Counting it doubled
the server JVM's 1 GB+ in a random share of the samples; such a copy (same virtual size as its
parent, resident size within 5 %) is not counted; the same goes for a forked copy that has not
exec'd and still shares its pages copy-on-write.
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


def is_copy_of_parent(memory: tuple[int, int], parent: tuple[int, int] | None) -> bool:
    """(rss, vms) of a process and of its parent: the process is a not-yet-exec'd copy."""
    if parent is None:
        return False
    (rss, vms), (parent_rss, parent_vms) = memory, parent
    return vms == parent_vms and abs(rss - parent_rss) <= 0.05 * max(parent_rss, 1)


def tree_rss_bytes(root: psutil.Process) -> tuple[int, int]:
    """Summed RSS of ``root`` and all its descendants, and how many processes that was
    (copies of their parent between fork and exec are left out, see the module docstring)."""
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    memory: dict[int, tuple[int, int]] = {}
    parents: dict[int, int] = {}
    for process in processes:
        try:
            info = process.memory_info()
            parents[process.pid] = process.ppid()
        except psutil.Error:  # exited between listing and sampling
            continue
        memory[process.pid] = (info.rss, info.vms)
    counted = [
        pid for pid in memory if not is_copy_of_parent(memory[pid], memory.get(parents[pid]))
    ]
    return sum(memory[pid][0] for pid in counted), len(counted)


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
        if not isinstance(sink, int):
            sink.close()
    return Measurement(
        seconds=seconds,
        peak_rss_mb=peak / MB,
        returncode=process.returncode,
        started_at=started_at,
        peak_processes=peak_processes,
        load_at_start=round(load_at_start, 2),
    )
