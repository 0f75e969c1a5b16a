"""The spark-pipelines log timeline (benchmarks.timeline): phases, flows, and the time breakdown."""

from datetime import datetime

from benchmarks.timeline import breakdown, parse_timeline

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


RETRIED_LOG = (
    """\
2026-11-25 19:09:00: Loading pipeline spec from spec.yml...
2026-11-25 19:09:00: Creating Spark session...
java.net.BindException: Failed to bind to address 0.0.0.0/0.0.0.0:15002
"""
    + SAMPLE_LOG
)


def test_a_retried_start_counts_as_waiting_and_phases_describe_the_last_attempt():
    timeline = parse_timeline(RETRIED_LOG)
    assert timeline.attempts == [datetime(2026, 11, 25, 19, 9), datetime(2026, 11, 25, 19, 10)]
    rows = dict(breakdown(timeline))
    assert rows["lost port races: 1 earlier attempt(s)"] == 60
    assert rows["start-up: Spark Connect session"] == 29
