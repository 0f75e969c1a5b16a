"""Start an update of a Lakeflow pipeline and follow it through its event log.

The update's state comes from ``pipelines.get_update``; flow states, rows written and expectation
counts come from the pipeline event log (``flow_progress`` events, read by ``event_log``).

Once started, an update runs whatever happens to this process, so following it must not give up
on a hiccup: failed polls are retried for ``OUTAGE_SECONDS``; then, or at once when the
credentials are refused, ``follow`` raises ``LostTrack`` and the caller says the update goes on.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.pipelines import UpdateInfo, UpdateInfoState

from clickstream_cli.event_log import EventFeed
from clickstream_cli.workspace import (
    API_ERRORS,
    WorkspaceError,
    first_sentence,
    is_refused_credentials,
    is_transient,
)

TERMINAL_STATES = frozenset(
    {UpdateInfoState.COMPLETED, UpdateInfoState.FAILED, UpdateInfoState.CANCELED}
)
POLL_SECONDS = 5.0
# Polls that fail for a transient reason are retried until the failures have lasted this long.
OUTAGE_SECONDS = 120.0
# After the terminal state, the log is read up to this many more times (POLL_SECONDS apart)
# until the update's own terminal event is in it: the log can trail the state.
DRAIN_READS = 6

# Used only when an event comes without details: "Flow 'silver_events' has FAILED."
_FLOW_MESSAGE = re.compile(r"Flow '(?P<name>[^']+)' (?:is|has) (?P<status>[A-Z_]+)")


@dataclass
class ExpectationCount:
    passed: int = 0
    failed: int = 0


@dataclass
class FlowProgress:
    name: str
    status: str = "QUEUED"
    rows_written: int = 0
    expectations: dict[str, ExpectationCount] = field(default_factory=dict)
    error: str | None = None


@dataclass
class UpdateProgress:
    """What is known about one update, built up event by event."""

    update_id: str
    state: UpdateInfoState = UpdateInfoState.QUEUED
    flows: dict[str, FlowProgress] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # False when the log never showed the update's end: totals may miss its last events.
    log_complete: bool = True

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def succeeded(self) -> bool:
        return self.state is UpdateInfoState.COMPLETED

    def apply(self, event: dict) -> list[str]:
        """Fold one event log entry in; return the changes worth a log line."""
        changes: list[str] = []
        error = error_message(event.get("error"))
        if event.get("event_type") == "flow_progress":
            changes += self._apply_flow(event, error)
        elif error or event.get("level") == "ERROR":
            self.errors.append(error or event.get("message") or "unknown error")
        return changes

    def _apply_flow(self, event: dict, error: str | None) -> list[str]:
        details = (event.get("details") or {}).get("flow_progress") or {}
        origin = event.get("origin") or {}
        name = origin.get("flow_name") or origin.get("dataset_name")
        status = details.get("status")
        if not name or not status:
            match = _FLOW_MESSAGE.search(event.get("message") or "")
            if match:
                name, status = name or match["name"], status or match["status"]
        if not name:
            return []
        flow = self.flows.setdefault(short_name(name), FlowProgress(short_name(name)))
        # num_output_rows and the expectation counts are per batch: sum them over the update.
        rows = (details.get("metrics") or {}).get("num_output_rows")
        flow.rows_written += int(rows or 0)
        for expectation in (details.get("data_quality") or {}).get("expectations") or []:
            count = flow.expectations.setdefault(expectation.get("name", "?"), ExpectationCount())
            count.passed += int(expectation.get("passed_records") or 0)
            count.failed += int(expectation.get("failed_records") or 0)
        if error:
            flow.error = error
        if status and status != flow.status:
            flow.status = status
            return [f"{flow.name} {status}"]
        return []

    def failure_message(self) -> str:
        """The reason the update did not complete, naming the failing flow when there is one."""
        for flow in self.flows.values():
            if flow.status == "FAILED":
                return f"flow '{flow.name}' failed: {flow.error or 'no error message in event log'}"
        if self.errors:
            return self.errors[-1]
        if self.state is UpdateInfoState.CANCELED:
            return "canceled before it completed"
        return "the event log gives no reason; the update page has the full log"


def short_name(name: str) -> str:
    """``catalog.schema.table`` (possibly backquoted) -> ``table``; table names are unique here."""
    return name.replace("`", "").rsplit(".", 1)[-1]


def error_message(error: dict | None) -> str | None:
    """The first exception message of an event's ``error``, on one line."""
    for exception in (error or {}).get("exceptions") or []:
        message = (exception.get("message") or "").strip()
        if message:
            first_line = message.splitlines()[0]
            cls = (exception.get("class_name") or "").rsplit(".", 1)[-1]
            return f"{cls}: {first_line}" if cls else first_line
    return None


def start(
    w: WorkspaceClient, pipeline_id: str, *, full_refresh: bool = False, tables: Sequence[str] = ()
) -> str:
    """Start an update; return its id.

    ``--table`` limits the update to those tables; with ``--full-refresh`` too, only those tables
    are reset (``full_refresh_selection``) rather than the whole pipeline.
    """
    selection: dict = {}
    if tables:
        key = "full_refresh_selection" if full_refresh else "refresh_selection"
        selection[key] = list(tables)
    elif full_refresh:
        selection["full_refresh"] = True
    update_id = w.pipelines.start_update(pipeline_id, **selection).update_id
    if not update_id:  # typed optional by the SDK; an update without an id cannot be followed
        raise WorkspaceError(f"pipeline {pipeline_id}: start_update answered without an update_id")
    return update_id


def recent_updates(w: WorkspaceClient, pipeline_id: str, limit: int) -> list[UpdateInfo]:
    """The latest updates, newest first."""
    return list(w.pipelines.list_updates(pipeline_id, max_results=limit).updates or [])[:limit]


class LostTrack(Exception):
    """Following stopped while the update may still run; the message says why."""

    def __init__(self, reason: str, *, credentials: bool):
        super().__init__(reason)
        self.credentials = credentials


OnProgress = Callable[[UpdateProgress, list[str]], None]
OnEvents = Callable[[list[dict]], None]


def follow(
    w: WorkspaceClient,
    pipeline_id: str,
    update_id: str,
    *,
    on_progress: OnProgress,
    on_events: OnEvents | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    poll_seconds: float = POLL_SECONDS,
    outage_seconds: float = OUTAGE_SECONDS,
) -> UpdateProgress:
    """Poll until the update reaches a terminal state; report progress after every poll.

    ``on_events`` receives every event of the update once, oldest first (for other reports).
    Raises ``LostTrack`` when the workspace stops answering for ``outage_seconds`` or refuses
    the credentials.
    """
    progress = UpdateProgress(update_id)
    feed = EventFeed(w, pipeline_id, update_id)

    def fold(events: list[dict]) -> list[str]:
        if on_events and events:
            on_events(events)
        return _fold(progress, events)

    outage_since: float | None = None
    while True:
        poll_started = clock()
        try:
            # State first, then events: once the state is terminal, the events read next are final.
            update = w.pipelines.get_update(pipeline_id, update_id).update
            state = update.state if update else None
            events = feed.read()
        except API_ERRORS as exc:
            outage_since = poll_started if outage_since is None else outage_since
            give_up_unless_transient(exc, clock() - outage_since, outage_seconds)
            sleep(poll_seconds)
            continue
        outage_since = None
        flow_changes = fold(events)
        changes = []
        if state is not None and state != progress.state:
            progress.state = state
            changes.append(f"update {state.value}")
        if progress.finished:
            flow_changes += _drain(feed, progress, fold, sleep, poll_seconds)
            # The update's own line goes first, except the last one, which follows its flows'.
            changes = flow_changes + changes
        else:
            changes = changes + flow_changes
        on_progress(progress, changes)
        if progress.finished:
            return progress
        sleep(poll_seconds)


def give_up_unless_transient(exc: Exception, failing_for: float, outage_seconds: float) -> None:
    if is_refused_credentials(exc):
        reason = f"the credentials stopped working ({first_sentence(exc)})"
        raise LostTrack(reason, credentials=True) from exc
    if not is_transient(exc):
        raise LostTrack(first_sentence(exc), credentials=False) from exc
    if failing_for >= outage_seconds:
        reason = f"no answer for {failing_for:.0f} s (last: {first_sentence(exc)})"
        raise LostTrack(reason, credentials=False) from exc


def _drain(feed: EventFeed, progress, fold, sleep, poll_seconds: float) -> list[str]:
    """Read on until the log holds the update's terminal event; the outcome is known already."""
    changes: list[str] = []
    for _ in range(DRAIN_READS):
        if feed.ended:
            break
        sleep(poll_seconds)
        try:
            changes += fold(feed.read())
        except API_ERRORS as exc:
            if not is_transient(exc):
                break
    progress.log_complete = feed.ended
    return changes


def _fold(progress: UpdateProgress, events: Iterable[dict]) -> list[str]:
    changes: list[str] = []
    for event in events:
        changes += progress.apply(event)
    return changes
