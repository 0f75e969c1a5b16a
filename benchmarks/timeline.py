"""Where a pipeline run's time goes, from the ``spark-pipelines`` run log under HOME/logs/.

The log's own lines carry second-resolution timestamps::

    2026-11-25 19:10:00: Creating Spark session...
    2026-11-25 19:10:29: Creating dataflow graph...
    2026-11-25 19:10:31: Registering graph elements...
    2026-11-25 19:10:40: Starting run...
    2026-11-25 19:10:41: Flow spark_catalog.default.bronze_events is STARTING.
    2026-11-25 19:10:52: Flow spark_catalog.default.bronze_events has COMPLETED.
    2026-11-25 19:11:20: Run is COMPLETED.

:func:`parse_timeline` collects the phase markers and each flow's first STARTING/RUNNING and its
terminal state; :func:`breakdown` turns them into labelled seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from clickstream_cli.spark_pipelines_log import (
    ACTIVE_FLOW_STATES,
    FLOW_EVENT,
    RUN_EVENT,
    TERMINAL_FLOW_STATES,
    flow_table_name,
)

LINE = re.compile(r"^(?P<ts>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})(?:[.,]\d+)?: (?P<msg>.*)$")
# Phase markers of ``spark-pipelines run``, in the order they appear.
PHASES = {
    "spec": "Loading pipeline spec",
    "session": "Creating Spark session",
    "graph": "Creating dataflow graph",
    "register": "Registering graph elements",
    "run": "Starting run",
}


@dataclass
class FlowTiming:
    """One flow: when it first went active, when it reached a terminal state, and which."""

    name: str
    started: datetime | None = None
    finished: datetime | None = None
    state: str | None = None

    @property
    def seconds(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return (self.finished - self.started).total_seconds()


@dataclass
class Timeline:
    """Phase markers, flows (in the order they first appear), and the run's end."""

    phases: dict[str, datetime] = field(default_factory=dict)
    flows: dict[str, FlowTiming] = field(default_factory=dict)
    run_state: str | None = None
    run_finished: datetime | None = None
    first: datetime | None = None
    last: datetime | None = None
    # Each start of the pipelines CLI (the local CLI retries when another run took the port).
    attempts: list[datetime] = field(default_factory=list)


def parse_timeline(text: str) -> Timeline:
    """Phase markers and flow timings from a run log's text (other lines are ignored)."""
    timeline = Timeline()
    for raw in text.splitlines():
        match = LINE.match(raw.strip())
        if not match:
            continue
        at = datetime.fromisoformat(match["ts"].replace(" ", "T"))
        message = match["msg"]
        timeline.first = timeline.first or at
        timeline.last = at
        if message.startswith(PHASES["spec"]):
            # A new attempt: phases and flows describe the last one; earlier ones are waiting.
            timeline.attempts.append(at)
            timeline.phases.clear()
            timeline.flows.clear()
        for phase, marker in PHASES.items():
            if message.startswith(marker) and phase not in timeline.phases:
                timeline.phases[phase] = at
        if flow_match := FLOW_EVENT.search(message):
            name, state = flow_table_name(flow_match["flow"]), flow_match["state"]
            flow = timeline.flows.setdefault(name, FlowTiming(name))
            if state in ACTIVE_FLOW_STATES and flow.started is None:
                flow.started = at
            elif state in TERMINAL_FLOW_STATES:
                flow.finished, flow.state = at, state
        elif run_match := RUN_EVENT.search(message):
            timeline.run_state = run_match["state"]
            if run_match["state"] in TERMINAL_FLOW_STATES:
                timeline.run_finished = at
    return timeline


def read_timeline(path: Path) -> Timeline:
    return parse_timeline(path.read_text(errors="replace"))


def latest_log(logs: Path) -> Path | None:
    """The newest ``run-*.log`` under a HOME's logs folder."""
    candidates = sorted(logs.glob("run-*.log"), key=lambda p: p.stat().st_mtime)
    return candidates[-1] if candidates else None


def _span(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def breakdown(timeline: Timeline, process_start: datetime | None = None) -> list[tuple[str, float]]:
    """Labelled seconds: start-up phases, each flow in start order (start to terminal state; flows
    overlap), and the tail.

    ``process_start`` (local time, as the log writes it) adds the time before the first log line:
    the CLI and the Python side of ``spark-pipelines`` starting."""
    phases = timeline.phases
    rows: list[tuple[str, float | None]] = []
    if process_start is not None:
        rows.append(
            ("start-up: processes until first log line", _span(process_start, timeline.first))
        )
    if len(timeline.attempts) > 1:
        rows.append(
            (
                f"lost port races: {len(timeline.attempts) - 1} earlier attempt(s)",
                _span(timeline.attempts[0], timeline.attempts[-1]),
            )
        )
    rows += [
        ("start-up: Spark Connect session", _span(phases.get("session"), phases.get("graph"))),
        (
            "start-up: graph + registering definitions",
            _span(phases.get("graph"), phases.get("run")),
        ),
    ]
    first_flow = min((f.started for f in timeline.flows.values() if f.started), default=None)
    rows.append(("run: planning until first flow starts", _span(phases.get("run"), first_flow)))
    in_start_order = sorted(timeline.flows.values(), key=lambda f: (f.started is None, f.started))
    for flow in in_start_order:
        rows.append((f"flow {flow.name} ({(flow.state or '?').lower()})", flow.seconds))
    last_flow = max((f.finished for f in timeline.flows.values() if f.finished), default=None)
    rows.append(("run: flows (first start to last end)", _span(first_flow, last_flow)))
    rows.append(("shutdown: last flow to end of log", _span(last_flow, timeline.last)))
    return [(label, seconds) for label, seconds in rows if seconds is not None]
