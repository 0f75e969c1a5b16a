"""The benchmark's result: the documented JSON keys from the four measurements, and a table.

Ratios compare fresh process trees: ``ratio_vs_floor`` = pipeline / floor (first full run),
``incremental_ratio`` = rerun after +1 % events / rerun with no new data. ``peak_rss_mb`` is the
largest peak over the three pipeline steps (the floor's peak is shown in the table only).
"""

from __future__ import annotations

from rich.table import Table

from benchmarks.measure import Measurement

RESULT_KEYS = (
    "events",
    "floor_s",
    "pipeline_s",
    "ratio_vs_floor",
    "noop_s",
    "incremental_s",
    "incremental_ratio",
    "events_per_s",
    "peak_rss_mb",
)

STEPS = (
    ("floor", "(1) floor: plain PySpark, JSON -> parquet"),
    ("pipeline", "(2) pipeline: clickstream-local run, first run"),
    ("noop", "(3) rerun, no new data"),
    ("incremental", "(4) rerun after +1 % events"),
)

GOALS = {
    "ratio_vs_floor": 2.0,  # at 1M events
    "incremental_ratio": 1.3,
    "peak_rss_mb": 2048.0,
}


def build_result(events: int, steps: dict[str, Measurement]) -> dict[str, float | int]:
    """The JSON result, exactly :data:`RESULT_KEYS`, from the four step measurements."""
    floor, pipeline = steps["floor"], steps["pipeline"]
    noop, incremental = steps["noop"], steps["incremental"]
    result = {
        "events": events,
        "floor_s": round(floor.seconds, 2),
        "pipeline_s": round(pipeline.seconds, 2),
        "ratio_vs_floor": round(pipeline.seconds / floor.seconds, 3),
        "noop_s": round(noop.seconds, 2),
        "incremental_s": round(incremental.seconds, 2),
        "incremental_ratio": round(incremental.seconds / noop.seconds, 3),
        "events_per_s": round(events / pipeline.seconds, 1),
        "peak_rss_mb": round(max(pipeline.peak_rss_mb, noop.peak_rss_mb,
                                 incremental.peak_rss_mb), 1),
    }
    assert tuple(result) == RESULT_KEYS
    return result


def steps_table(events: int, steps: dict[str, Measurement]) -> Table:
    title = f"clickstream benchmark, {events:,} events (each step a fresh process tree)"
    table = Table(title=title)
    table.add_column("step")
    table.add_column("wall s", justify="right")
    table.add_column("peak RSS MB (tree)", justify="right")
    table.add_column("processes at peak", justify="right")
    table.add_column("load avg at start", justify="right")
    for key, label in STEPS:
        if key in steps:
            m = steps[key]
            table.add_row(label, f"{m.seconds:.1f}", f"{m.peak_rss_mb:.0f}", str(m.peak_processes),
                          f"{m.load_at_start:.1f}")
    return table


def summary_table(result: dict[str, float | int]) -> Table:
    table = Table(title="result (goals: ratio <= 2.0 at 1M, +1 % rerun <= 1.3 x no-op, <= 2 GiB)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("goal", justify="right")
    for key in RESULT_KEYS:
        goal = GOALS.get(key)
        verdict = ""
        if goal is not None:
            verdict = f"<= {goal:g} " + ("met" if result[key] <= goal else "MISSED")
        table.add_row(key, f"{result[key]:,}", verdict)
    return table


def breakdown_table(title: str, rows: list[tuple[str, float]]) -> Table:
    table = Table(title=title)
    table.add_column("phase")
    table.add_column("s", justify="right")
    for label, seconds in rows:
        table.add_row(label, f"{seconds:.0f}")
    return table
