"""The benchmark result record (benchmarks.results): the documented keys and the derived ratios."""

import json

from benchmarks.measure import Measurement
from benchmarks.results import RESULT_KEYS, build_result, verdict


def _step(seconds: float, peak_mb: float, load: float = 1.0) -> Measurement:
    return Measurement(
        seconds=seconds, peak_rss_mb=peak_mb, returncode=0, started_at=0.0, load_at_start=load
    )


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
        "events",
        "floor_s",
        "peer_s",
        "pipeline_s",
        "ratio_vs_floor",
        "peer_ratio",
        "noop_s",
        "incremental_s",
        "incremental_share",
        "events_per_s",
        "peak_rss_mb",
        "load_at_start",
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
