"""The benchmark's result: the documented JSON keys from the five measurements, and tables.

Ratios compare fresh process trees: ``ratio_vs_floor`` = pipeline / floor (first full run),
``peer_ratio`` = pipeline / peer (the same work as a hand-written batch job),
``incremental_share`` = rerun after +1 % events / first full run. ``peak_rss_mb`` is the largest
peak over the three pipeline steps (the floor's and the peer's peaks are in the table only).
"""

from __future__ import annotations

from rich.table import Table

from benchmarks.measure import Measurement

RESULT_KEYS = (
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
)

STEPS = (
    ("floor", "(1) floor: plain PySpark, JSON -> parquet"),
    ("peer", "(2) peer: plain PySpark batch job, same work as the pipeline"),
    ("pipeline", "(3) pipeline: clickstream-local run, first run"),
    ("noop", "(4) rerun, no new data"),
    ("incremental", "(5) rerun after +1 % events"),
)
PIPELINE_STEPS = ("pipeline", "noop", "incremental")

# Goals at 1M events (the issue "Performance: under 2 GiB, up to date in seconds ...").
GOALS = {
    "ratio_vs_floor": 3.5,
    "peer_ratio": 1.25,
    "noop_s": 5.0,
    "incremental_share": 0.40,
    "peak_rss_mb": 2048.0,
}


def build_result(events: int, steps: dict[str, Measurement]) -> dict:
    """The JSON result, exactly :data:`RESULT_KEYS`, from the five step measurements.

    ``load_at_start`` maps each step to the machine's 1-minute load average when it started."""
    floor, peer, pipeline = steps["floor"], steps["peer"], steps["pipeline"]
    noop, incremental = steps["noop"], steps["incremental"]
    result = {
        "events": events,
        "floor_s": round(floor.seconds, 2),
        "peer_s": round(peer.seconds, 2),
        "pipeline_s": round(pipeline.seconds, 2),
        "ratio_vs_floor": round(pipeline.seconds / floor.seconds, 3),
        "peer_ratio": round(pipeline.seconds / peer.seconds, 3),
        "noop_s": round(noop.seconds, 2),
        "incremental_s": round(incremental.seconds, 2),
        "incremental_share": round(incremental.seconds / pipeline.seconds, 3),
        "events_per_s": round(events / pipeline.seconds, 1),
        "peak_rss_mb": round(max(steps[name].peak_rss_mb for name in PIPELINE_STEPS), 1),
        "load_at_start": {name: steps[name].load_at_start for name, _ in STEPS},
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
            table.add_row(
                label,
                f"{m.seconds:.1f}",
                f"{m.peak_rss_mb:.0f}",
                str(m.peak_processes),
                f"{m.load_at_start:.1f}",
            )
    return table


def verdict(key: str, value: float) -> str:
    """``<= goal met`` / ``<= goal MISSED`` for a figure with a goal, else empty."""
    goal = GOALS.get(key)
    if goal is None:
        return ""
    return f"<= {goal:g} " + ("met" if value <= goal else "MISSED")


def summary_table(result: dict) -> Table:
    table = Table(title="result (goals apply at 1M events on a quiet machine)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("goal", justify="right")
    for key in RESULT_KEYS:
        value = result[key]
        if isinstance(value, dict):
            shown = ", ".join(f"{name} {load:.1f}" for name, load in value.items())
            table.add_row(key, shown, "")
        else:
            table.add_row(key, f"{value:,}", verdict(key, value))
    return table


def breakdown_table(title: str, rows: list[tuple[str, float]]) -> Table:
    table = Table(title=title)
    table.add_column("phase")
    table.add_column("s", justify="right")
    for label, seconds in rows:
        table.add_row(label, f"{seconds:.0f}")
    return table
