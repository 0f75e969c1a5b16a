"""The benchmark result record (benchmarks.results): the documented keys and the derived ratios."""

import json

from benchmarks.measure import Measurement
from benchmarks.results import RESULT_KEYS, build_result


def _step(seconds: float, peak_mb: float) -> Measurement:
    return Measurement(seconds=seconds, peak_rss_mb=peak_mb, returncode=0, started_at=0.0)


def test_result_has_exactly_the_documented_keys_and_ratios():
    steps = {
        "floor": _step(20.0, 3000.0),
        "pipeline": _step(50.0, 1500.0),
        "noop": _step(25.0, 1200.0),
        "incremental": _step(30.0, 1600.0),
    }
    result = build_result(1_000_000, steps)
    assert list(result) == [
        "events", "floor_s", "pipeline_s", "ratio_vs_floor", "noop_s", "incremental_s",
        "incremental_ratio", "events_per_s", "peak_rss_mb",
    ]
    assert tuple(result) == RESULT_KEYS
    assert result["ratio_vs_floor"] == 2.5
    assert result["incremental_ratio"] == 1.2
    assert result["events_per_s"] == 20_000
    assert result["peak_rss_mb"] == 1600.0  # pipeline steps only, not the floor
    assert json.loads(json.dumps(result)) == result
