"""The benchmark memory sampler (benchmarks.measure): the whole process tree, and the exit code."""

import sys

from benchmarks.measure import MB, is_copy_of_parent, measure

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


def test_a_copy_of_its_parent_between_fork_and_exec_is_not_memory_of_its_own():
    parent = (1_000 * MB, 5_000 * MB)
    assert is_copy_of_parent((1_001 * MB, 5_000 * MB), parent)
    assert not is_copy_of_parent((1_001 * MB, 5_100 * MB), parent)  # another program
    assert not is_copy_of_parent((900 * MB, 5_000 * MB), parent)
    assert not is_copy_of_parent(parent, None)  # the root has no parent in the tree


def test_sampler_counts_a_forked_copy_of_a_process_once():
    forker = (
        "import os, time; block = bytearray(150 * 1024 * 1024); "
        "pid = os.fork(); time.sleep(1.5); "
        "os._exit(0) if pid == 0 else os.waitpid(pid, 0)"
    )
    result = measure([sys.executable, "-c", forker], interval=0.1)
    assert result.returncode == 0
    assert 150 <= result.peak_rss_mb < 250
