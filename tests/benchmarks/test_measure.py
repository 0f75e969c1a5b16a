"""The benchmark memory sampler (benchmarks.measure): the whole process tree, and the exit code."""

import sys

from benchmarks.measure import measure

ALLOCATE_100_MB = "import time; block = b'x' * (100 * 1024 * 1024); time.sleep(1.5)"


def test_sampler_sees_memory_of_a_grandchild_process():
    # The measured command only starts another Python, which allocates: like the CLI and its JVMs.
    spawner = (
        "import subprocess, sys; "
        f"subprocess.run([sys.executable, '-c', {ALLOCATE_100_MB!r}], check=True)"
    )
    result = measure([sys.executable, "-c", spawner], interval=0.1)
    assert result.returncode == 0
    assert result.peak_rss_mb >= 100
    assert result.peak_processes >= 2


def test_sampler_reports_the_exit_code():
    assert measure([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3
