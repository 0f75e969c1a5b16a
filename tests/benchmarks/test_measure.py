"""Fast checks of the benchmark harness (no Spark): memory sampler, log timeline, result keys."""

import json
import sys
from datetime import datetime

from benchmarks.measure import MB, Measurement, is_copy_of_parent, measure
from benchmarks.results import RESULT_KEYS, build_result, verdict
from benchmarks.timeline import breakdown, parse_timeline

ALLOCATE_100_MB = "import time; block = b'x' * (100 * 1024 * 1024); time.sleep(1.5)"

SAMPLE_LOG = """\
WARNING: Using incubator modules: jdk.incubator.vector
2026-11-25 19:10:00: Loading pipeline spec from spec.yml...
2026-11-25 19:10:00: Creating Spark session...
Setting default log level to "WARN".
2026-11-25 19:10:29: Creating dataflow graph...
2026-11-25 19:10:31: Registering graph elements...
2026-11-25 19:10:40: Starting run...
2026-11-25 19:10:41: Flow spark_catalog.default.bronze_events is QUEUED.
2026-11-25 19:10:42: Flow spark_catalog.default.bronze_events is STARTING.
2026-11-25 19:10:43: Flow spark_catalog.default.bronze_events is RUNNING.
2026-11-25 19:10:52: Flow spark_catalog.default.bronze_events has COMPLETED.
2026-11-25 19:10:53: Flow spark_catalog.default.silver_events is STARTING.
2026-11-25 19:11:10: Flow spark_catalog.default.silver_events has COMPLETED.
2026-11-25 19:11:11: Flow spark_catalog.default.gold_sessions is STARTING.
2026-11-25 19:11:15: Flow spark_catalog.default.gold_sessions has FAILED.
2026-11-25 19:11:20: Run is COMPLETED.
"""


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


def test_timeline_has_phases_and_each_flows_start_and_end():
    timeline = parse_timeline(SAMPLE_LOG)
    assert timeline.phases["session"] == datetime(2026, 11, 25, 19, 10, 0)
    assert timeline.phases["graph"] == datetime(2026, 11, 25, 19, 10, 29)
    assert timeline.phases["run"] == datetime(2026, 11, 25, 19, 10, 40)
    assert list(timeline.flows) == ["bronze_events", "silver_events", "gold_sessions"]
    bronze = timeline.flows["bronze_events"]
    assert bronze.started == datetime(2026, 11, 25, 19, 10, 42)  # STARTING, not QUEUED
    assert bronze.seconds == 10
    assert timeline.flows["silver_events"].seconds == 17
    assert timeline.flows["gold_sessions"].state == "FAILED"
    assert timeline.run_state == "COMPLETED"


def test_breakdown_labels_start_up_flows_and_shutdown():
    rows = dict(breakdown(parse_timeline(SAMPLE_LOG), datetime(2026, 11, 25, 19, 9, 51)))
    assert rows["start-up: processes until first log line"] == 9
    assert rows["start-up: Spark Connect session"] == 29
    assert rows["start-up: graph + registering definitions"] == 11
    assert rows["run: planning until first flow starts"] == 2
    assert rows["flow bronze_events (completed)"] == 10
    assert rows["run: flows (first start to last end)"] == 33
    assert rows["shutdown: last flow to end of log"] == 5


def test_breakdown_of_an_empty_log_is_empty():
    assert breakdown(parse_timeline("no timestamps here\n")) == []


def _step(seconds: float, peak_mb: float, load: float = 1.0) -> Measurement:
    return Measurement(seconds=seconds, peak_rss_mb=peak_mb, returncode=0, started_at=0.0,
                       load_at_start=load)


STEPS = {
    "floor": _step(20.0, 3000.0, load=0.5),
    "peer": _step(40.0, 2500.0),
    "pipeline": _step(50.0, 1500.0),
    "noop": _step(1.0, 60.0),
    "incremental": _step(20.0, 1600.0, load=2.0),
}


def test_result_has_exactly_the_documented_keys_in_order():
    result = build_result(1_000_000, STEPS)
    assert list(result) == [
        "events", "floor_s", "peer_s", "pipeline_s", "ratio_vs_floor", "peer_ratio", "noop_s",
        "incremental_s", "incremental_share", "events_per_s", "peak_rss_mb", "load_at_start",
    ]
    assert tuple(result) == RESULT_KEYS
    assert json.loads(json.dumps(result)) == result


def test_result_ratios_compare_the_first_pipeline_run():
    result = build_result(1_000_000, STEPS)
    assert result["ratio_vs_floor"] == 2.5
    assert result["peer_ratio"] == 1.25
    assert result["incremental_share"] == 0.4  # the +1 % rerun against the first full run
    assert result["events_per_s"] == 20_000


def test_peak_memory_is_the_largest_of_the_pipeline_steps_only():
    assert build_result(1_000_000, STEPS)["peak_rss_mb"] == 1600.0  # not the floor's or peer's


def test_result_keeps_the_load_when_each_step_started():
    loads = build_result(1_000_000, STEPS)["load_at_start"]
    assert list(loads) == ["floor", "peer", "pipeline", "noop", "incremental"]
    assert (loads["floor"], loads["incremental"]) == (0.5, 2.0)


def test_goal_verdicts_say_met_or_missed():
    assert verdict("peer_ratio", 1.2) == "<= 1.25 met"
    assert verdict("noop_s", 6.0) == "<= 5 MISSED"
    assert verdict("events", 10) == ""


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


RETRIED_LOG = """\
2026-11-25 19:09:00: Loading pipeline spec from spec.yml...
2026-11-25 19:09:00: Creating Spark session...
java.net.BindException: Failed to bind to address 0.0.0.0/0.0.0.0:15002
""" + SAMPLE_LOG


def test_a_retried_start_counts_as_waiting_and_phases_describe_the_last_attempt():
    timeline = parse_timeline(RETRIED_LOG)
    assert timeline.attempts == [datetime(2026, 11, 25, 19, 9), datetime(2026, 11, 25, 19, 10)]
    rows = dict(breakdown(timeline))
    assert rows["lost port races: 1 earlier attempt(s)"] == 60
    assert rows["start-up: Spark Connect session"] == 29
