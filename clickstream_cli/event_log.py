"""Read one update's pipeline event log: every event once, oldest first, across repeated reads.

The log is read through the raw REST endpoint (``GET /api/2.0/pipelines/{id}/events``) because the
SDK's ``PipelineEvent`` model has no ``details`` field, and ``details`` is where flow status,
metrics, data-quality counts and the update's own state live.

A read is all or nothing: it walks every page, and only when the last page has arrived does it
move the cursor and remember the events it returns. A read that fails on any page raises and
leaves the feed as it was, so the next read asks for the same events again; ids drop the ones
seen before. Nothing is lost and nothing is counted twice, whichever page fails.
"""

from __future__ import annotations

import json
from typing import cast

from databricks.sdk import WorkspaceClient

PAGE_SIZE = 100
UPDATE_END_STATES = frozenset({"COMPLETED", "FAILED", "CANCELED"})
_JSON = {"Accept": "application/json"}


def update_end_state(event: dict) -> str | None:
    """The final state an ``update_progress`` event announces (COMPLETED, FAILED, CANCELED)."""
    if event.get("event_type") != "update_progress":
        return None
    state = ((event.get("details") or {}).get("update_progress") or {}).get("state")
    return state if state in UPDATE_END_STATES else None


class EventFeed:
    """The events of one update, each delivered once, in timestamp order."""

    def __init__(self, w: WorkspaceClient, pipeline_id: str, update_id: str):
        self._api = w.api_client
        self._path = f"/api/2.0/pipelines/{pipeline_id}/events"
        self._update_id = update_id
        self._seen: set[str] = set()
        self._since: str | None = None
        self.end_state: str | None = None

    @property
    def ended(self) -> bool:
        """Whether the update's terminal ``update_progress`` event has been read."""
        return self.end_state is not None

    def read(self) -> list[dict]:
        """The events not delivered before; raises, changing nothing, if any page fails."""
        fresh: list[dict] = []
        keys: set[str] = set()
        for event in self._all_pages():
            key = event.get("id") or json.dumps(event, sort_keys=True)
            if key in self._seen or key in keys:
                continue
            keys.add(key)
            fresh.append(event)
        # The whole read arrived: only now does the feed move on.
        self._seen |= keys
        for event in fresh:
            self._since = max(self._since or "", event.get("timestamp") or "") or None
            self.end_state = self.end_state or update_end_state(event)
        return fresh

    def _all_pages(self) -> list[dict]:
        where = f"update_id = '{self._update_id}'"
        if self._since:
            # >= not >: events sharing the last timestamp may arrive late; ids dedupe them.
            where += f" AND timestamp >= '{self._since}'"
        query: dict = {"filter": where, "order_by": ["timestamp asc"], "max_results": PAGE_SIZE}
        events: list[dict] = []
        while True:
            # A JSON endpoint: ``do`` answers with the decoded object (typed as a wider union).
            page = cast(dict, self._api.do("GET", self._path, query=query, headers=_JSON))
            events += page.get("events") or []
            token = page.get("next_page_token")
            if not token:
                return events
            # The API takes a page token with nothing but max_results beside it.
            query = {"page_token": token, "max_results": PAGE_SIZE}
