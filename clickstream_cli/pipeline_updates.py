"""Start an update of a Lakeflow pipeline and follow it through its event log.

The update's state comes from ``pipelines.get_update``; flow states, rows written and expectation
counts come from the pipeline event log (``flow_progress`` events). The event log is read through
the raw REST endpoint because the SDK's ``PipelineEvent`` model has no ``details`` field, and
``details.flow_progress`` is where the status, metrics and data-quality counts live.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import TemporarilyUnavailable, TooManyRequests
from databricks.sdk.service.pipelines import UpdateInfo, UpdateInfoState

TERMINAL_STATES = frozenset(
    {UpdateInfoState.COMPLETED, UpdateInfoState.FAILED, UpdateInfoState.CANCELED}
)
POLL_SECONDS = 5.0
EVENTS_PAGE_SIZE = 100
# While following, a poll that fails for a network reason is skipped, up to this many in a row.
MAX_MISSED_POLLS = 12
TRANSIENT_ERRORS = (
    TimeoutError,
    requests.ConnectionError,
    requests.Timeout,
    TemporarilyUnavailable,
    TooManyRequests,
)
_JSON = {"Accept": "application/json"}

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
        raise ValueError(f"pipeline {pipeline_id}: start_update answered without an update_id")
    return update_id


def recent_updates(w: WorkspaceClient, pipeline_id: str, limit: int) -> list[UpdateInfo]:
    """The latest updates, newest first."""
    return list(w.pipelines.list_updates(pipeline_id, max_results=limit).updates or [])[:limit]


class EventFeed:
    """Yields each event of one update once, oldest first, across repeated polls."""

    def __init__(self, w: WorkspaceClient, pipeline_id: str, update_id: str):
        self._api = w.api_client
        self._path = f"/api/2.0/pipelines/{pipeline_id}/events"
        self._update_id = update_id
        self._seen: set[str] = set()
        self._since: str | None = None

    def new_events(self) -> Iterator[dict]:
        for event in self._pages():
            key = event.get("id") or repr(event)
            if key in self._seen:
                continue
            self._seen.add(key)
            self._since = max(self._since or "", event.get("timestamp") or "") or None
            yield event

    def _pages(self) -> Iterator[dict]:
        where = f"update_id = '{self._update_id}'"
        if self._since:
            # >= not >: events sharing the last timestamp may arrive late; ids dedupe them.
            where += f" AND timestamp >= '{self._since}'"
        query: dict = {
            "filter": where,
            "order_by": ["timestamp asc"],
            "max_results": EVENTS_PAGE_SIZE,
        }
        while True:
            # A JSON endpoint: ``do`` answers with the decoded object (typed as a wider union).
            page = cast(dict, self._api.do("GET", self._path, query=query, headers=_JSON))
            yield from page.get("events") or []
            token = page.get("next_page_token")
            if not token:
                return
            # The API takes a page token with nothing but max_results beside it.
            query = {"page_token": token, "max_results": EVENTS_PAGE_SIZE}


OnProgress = Callable[[UpdateProgress, list[str]], None]


def follow(
    w: WorkspaceClient,
    pipeline_id: str,
    update_id: str,
    *,
    on_progress: OnProgress,
    sleep: Callable[[float], None] = time.sleep,
    poll_seconds: float = POLL_SECONDS,
    feed: EventFeed | None = None,
) -> UpdateProgress:
    """Poll until the update reaches a terminal state; report progress after every poll."""
    progress = UpdateProgress(update_id)
    feed = feed or EventFeed(w, pipeline_id, update_id)
    missed = 0
    while True:
        try:
            # State first, then events: once the state is terminal, the events read next are final.
            update = w.pipelines.get_update(pipeline_id, update_id).update
            state = update.state if update else None
            events = list(feed.new_events())
        except TRANSIENT_ERRORS:
            missed += 1
            if missed > MAX_MISSED_POLLS:
                raise
            sleep(poll_seconds)
            continue
        missed = 0
        flow_changes = _fold(progress, events)
        changes = []
        if state is not None and state != progress.state:
            progress.state = state
            changes.append(f"update {state.value}")
        # The update's own line goes first, except the last one, which follows its flows'.
        changes = flow_changes + changes if progress.finished else changes + flow_changes
        if progress.finished and not progress.succeeded and _no_reason(progress):
            # The event log can trail the update state by a moment; give the error one more poll.
            sleep(poll_seconds)
            try:
                changes += _fold(progress, list(feed.new_events()))
            except TRANSIENT_ERRORS:
                pass  # the outcome is known; only its explanation is missing
        on_progress(progress, changes)
        if progress.finished:
            return progress
        sleep(poll_seconds)


def _fold(progress: UpdateProgress, events: Iterable[dict]) -> list[str]:
    changes: list[str] = []
    for event in events:
        changes += progress.apply(event)
    return changes


def _no_reason(progress: UpdateProgress) -> bool:
    failed = [f for f in progress.flows.values() if f.status == "FAILED"]
    return not progress.errors and not any(f.error for f in failed)
