"""Fakes for clickstream-cloud tests: event log entries, a scripted workspace, a fake pulumi."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.pipelines import (
    GetUpdateResponse,
    UpdateInfo,
    UpdateInfoState,
)

PIPELINE_ID = "pipeline-0001"
UPDATE_ID = "update-0001"
HOST = "https://workspace.example"


def flow_event(
    flow: str,
    status: str,
    *,
    rows: int | None = None,
    expectations: dict[str, tuple[int, int]] | None = None,
    error: str | None = None,
    seq: int = 0,
) -> dict:
    """A ``flow_progress`` event as the REST events endpoint returns it."""
    details: dict = {"status": status}
    if rows is not None:
        details["metrics"] = {"num_output_rows": rows}
    if expectations:
        details["data_quality"] = {
            "dropped_records": 0,
            "expectations": [
                {"name": name, "dataset": flow, "passed_records": ok, "failed_records": bad}
                for name, (ok, bad) in expectations.items()
            ],
        }
    event = {
        "id": f"{flow}-{status}-{seq}",
        "timestamp": f"2026-01-01T00:00:{seq:02d}.000Z",
        "event_type": "flow_progress",
        "level": "ERROR" if error else "INFO",
        "message": f"Flow '{flow}' is {status}.",
        "origin": {"pipeline_id": PIPELINE_ID, "update_id": UPDATE_ID, "flow_name": flow},
        "details": {"flow_progress": details},
    }
    if error:
        event["error"] = {
            "exceptions": [{"class_name": "org.apache.spark.SparkException", "message": error}],
            "fatal": True,
        }
    return event


def update_event(state: str, *, seq: int = 0) -> dict:
    """An ``update_progress`` event: the update's own state change, as the log records it."""
    return {
        "id": f"update-{state}-{seq}",
        "timestamp": f"2026-01-01T00:00:{seq:02d}.000Z",
        "event_type": "update_progress",
        "level": "INFO",
        "message": f"Update {UPDATE_ID[:6]} is {state}.",
        "origin": {"pipeline_id": PIPELINE_ID, "update_id": UPDATE_ID},
        "details": {"update_progress": {"state": state}},
    }


@dataclass
class Workspace:
    """A WorkspaceClient mock whose update walks through ``states`` and whose event log grows."""

    client: WorkspaceClient

    def script(self, states: list[str], event_batches: list[list[dict]]) -> None:
        """Poll i sees ``states[i]`` and the events of ``event_batches[:i + 1]``.

        The last batch ends with the update's terminal ``update_progress`` event.
        """
        responses = [
            GetUpdateResponse(update=UpdateInfo(update_id=UPDATE_ID, state=UpdateInfoState[s]))
            for s in states
        ]
        self.client.pipelines.get_update.side_effect = responses + [responses[-1]] * 5
        event_batches = [
            *event_batches[:-1],
            [*event_batches[-1], update_event(states[-1], seq=59)],
        ]
        seen: list[dict] = []
        pages = []
        for batch in event_batches:
            seen = seen + batch
            pages.append({"events": list(seen)})
        self.client.api_client.do.side_effect = pages + [pages[-1]] * 10


def fake_pulumi(outputs: dict | None = None, *, returncode: int = 0, stderr: str = ""):
    """A stand-in for subprocess.run that answers like the pulumi CLI."""
    calls: list[list[str]] = []

    def run(command, **kwargs):
        calls.append(command)
        if command[1:3] == ["stack", "output"]:
            stdout = "" if returncode else json.dumps(outputs or {})
            return subprocess.CompletedProcess(command, returncode, stdout, stderr)
        return subprocess.CompletedProcess(command, 1, "", "error: configuration key not found")

    run.calls = calls
    return run


@dataclass
class Result:
    exit_code: int
    out: str
    err: str
    sleeps: list[float]
