"""A local HTTP stand-in for the Pipelines, Jobs and SQL Statement calls clickstream-cloud makes.

The real databricks-sdk ``WorkspaceClient`` talks to it over HTTP on 127.0.0.1, so requests,
retries, error parsing and credentials go through the SDK's own code. Paths and parameters follow
the SDK's service code (databricks/sdk/service/pipelines.py, 0.162.0):

- ``POST /api/2.0/pipelines/{id}/updates`` (start_update) answers ``{"update_id": ...}``;
- ``GET /api/2.0/pipelines/{id}/updates/{update_id}`` (get_update) answers ``{"update": ...}``;
- ``GET /api/2.0/pipelines/{id}/events`` (list_pipeline_events) takes ``filter``, ``order_by``,
  ``max_results``, or ``page_token`` with nothing but ``max_results`` beside it.

For ``forget`` (databricks/sdk/service/jobs.py and sql.py, 0.162.0):

- ``POST /api/2.2/jobs/run-now`` (run_now) answers ``{"run_id": ...}`` for ``job_id`` only;
- ``GET /api/2.2/jobs/runs/get`` (get_run, ``run_id``) answers the i-th of ``run_states``
  (life-cycle state, result state), the last one repeating;
- ``POST /api/2.0/sql/statements`` (execute_statement) records the statement and its parameters
  and answers SUCCEEDED; a SELECT answers ``erased`` (JSON) as its one row.

The i-th get_update answers ``states[i]`` (the last one repeats); the i-th read of the event log
(a request without page_token) sees the events of ``batches[:i + 1]``, so a log can trail the
state. Faults are queued per call and page: an HTTP status with a body, a dropped connection, or
a body cut short.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

_UPDATES = re.compile(r"^/api/2\.0/pipelines/(?P<pipeline>[^/]+)/updates(?:/(?P<update>[^/]+))?$")
_EVENTS = re.compile(r"^/api/2\.0/pipelines/(?P<pipeline>[^/]+)/events$")
_FILTER = re.compile(
    r"^update_id = '(?P<update>[^']+)'(?: AND timestamp (?P<op>>=|>) '(?P<since>[^']+)')?$"
)
DROP, CUT = "drop", "cut"


@dataclass
class Fault:
    call: str  # "start", "get_update" or "events"
    answer: int | str  # an HTTP status, DROP (close without answering) or CUT (half a body)
    page: int | None = None  # events only: which page of a read (1 = no page_token)
    body: str = ""
    times: int = 1


@dataclass
class PipelinesStub:
    pipeline_id: str
    update_id: str
    page_size: int | None = None  # the server's page size; None = whatever max_results asks
    states: list[str] = field(default_factory=lambda: ["COMPLETED"])
    batches: list[list[dict]] = field(default_factory=lambda: [[]])
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str, dict]] = field(default_factory=list)
    polls: int = 0
    reads: int = 0
    job_id: int = 0
    run_id: int = 0
    run_states: list[tuple[str, str | None]] = field(
        default_factory=lambda: [("RUNNING", None), ("TERMINATED", "SUCCESS")]
    )
    run_polls: int = 0
    statements: list[dict] = field(default_factory=list)
    erased: dict[str, int] = field(default_factory=dict)

    def fail(self, call: str, answer: int | str, *, page=None, body="", times=1) -> None:
        self.faults.append(Fault(call, answer, page, body, times))

    def visible_events(self) -> list[dict]:
        shown = self.batches[: max(self.reads, 1)]
        return [event for batch in shown for event in batch]

    # -- serving ---------------------------------------------------------------------------------
    def __enter__(self) -> PipelinesStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                stub._handle(self, "GET")

            def do_POST(self) -> None:
                stub._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _handle(self, http: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(http.path)
        query = parse_qs(url.query)
        length = int(http.headers.get("Content-Length") or 0)
        body = json.loads(http.rfile.read(length) or b"{}") if length else {}
        self.requests.append((method, url.path, {**query, **body}))
        call, page, answer = self._route(method, url.path, query, body)
        fault = self._take_fault(call, page)
        if fault is not None:
            self._answer_fault(http, fault)
        else:
            self._send(http, *answer)

    def _route(self, method, path, query, body) -> tuple[str, int | None, tuple[int, dict]]:
        if (m := _UPDATES.match(path)) and m["pipeline"] == self.pipeline_id:
            if method == "POST" and not m["update"]:
                return "start", None, (200, {"update_id": self.update_id})
            if method == "GET" and m["update"] == self.update_id:
                state = self.states[min(self.polls, len(self.states) - 1)]
                self.polls += 1
                update = {"update_id": self.update_id, "state": state}
                return "get_update", None, (200, {"update": update})
        if method == "GET" and (m := _EVENTS.match(path)) and m["pipeline"] == self.pipeline_id:
            return self._events(query)
        if method == "POST" and path == "/api/2.2/jobs/run-now" and body["job_id"] == self.job_id:
            return "run_now", None, (200, {"run_id": self.run_id, "number_in_job": 1})
        if method == "GET" and path == "/api/2.2/jobs/runs/get":
            if query.get("run_id") == [str(self.run_id)]:
                return "get_run", None, (200, self._run())
        if method == "POST" and path == "/api/2.0/sql/statements":
            return "statement", None, (200, self._statement(body))
        return "other", None, (404, {"error_code": "ENDPOINT_NOT_FOUND", "message": path})

    def _run(self) -> dict:
        life, result = self.run_states[min(self.run_polls, len(self.run_states) - 1)]
        self.run_polls += 1
        state = {"life_cycle_state": life, **({"result_state": result} if result else {})}
        task = {"task_key": "erase", "state": {"life_cycle_state": life}}
        return {"run_id": self.run_id, "state": state, "tasks": [task]}

    def _statement(self, body: dict) -> dict:
        self.statements.append(body)
        answer: dict = {
            "statement_id": f"s{len(self.statements)}",
            "status": {"state": "SUCCEEDED"},
        }
        if body["statement"].startswith("SELECT"):
            answer["result"] = {"data_array": [[json.dumps(self.erased)]]}
        return answer

    def _events(self, query) -> tuple[str, int | None, tuple[int, dict]]:
        size = int(query.get("max_results", ["25"])[0])
        size = min(size, self.page_size or size)
        if "page_token" in query:
            if set(query) - {"page_token", "max_results"}:
                return "events", None, _bad_request("page_token allows only max_results beside it")
            offset, snapshot = json.loads(query["page_token"][0])
            events = self._filtered(snapshot)
        else:
            self.reads += 1
            if query.get("order_by") != ["timestamp asc"]:
                return "events", None, _bad_request(f"unexpected order_by {query.get('order_by')}")
            snapshot, offset = query.get("filter", [""])[0], 0
            events = self._filtered(snapshot)
            if events is None:
                return "events", None, _bad_request(f"unsupported filter {snapshot!r}")
        page_events = events[offset : offset + size]
        answer: dict = {"events": page_events}
        if offset + size < len(events):
            answer["next_page_token"] = json.dumps([offset + size, snapshot])
        return "events", 1 + offset // size, (200, answer)

    def _filtered(self, where: str) -> list[dict] | None:
        m = _FILTER.match(where)
        if not m:
            return None
        events = [e for e in self.visible_events() if e["origin"]["update_id"] == m["update"]]
        if m["since"]:
            keep = (lambda t: t >= m["since"]) if m["op"] == ">=" else (lambda t: t > m["since"])
            events = [e for e in events if keep(e["timestamp"])]
        return sorted(events, key=lambda e: e["timestamp"])

    def _take_fault(self, call: str, page: int | None) -> Fault | None:
        for fault in self.faults:
            if fault.times and fault.call == call and fault.page in (None, page):
                fault.times -= 1
                return fault
        return None

    def _answer_fault(self, http: BaseHTTPRequestHandler, fault: Fault) -> None:
        if fault.answer == DROP:
            http.close_connection = True
            return
        if fault.answer == CUT:
            http.send_response(200)
            http.send_header("Content-Type", "application/json")
            http.send_header("Content-Length", "1000")
            http.end_headers()
            http.wfile.write(b'{"events": [')
            http.close_connection = True
            return
        status = int(fault.answer)
        payload = fault.body.encode()
        http.send_response(status)
        http.send_header("Content-Type", "text/html" if payload.startswith(b"<") else "text/plain")
        http.send_header("Content-Length", str(len(payload)))
        http.end_headers()
        http.wfile.write(payload)

    @staticmethod
    def _send(http: BaseHTTPRequestHandler, status: int, answer: dict) -> None:
        payload = json.dumps(answer).encode()
        http.send_response(status)
        http.send_header("Content-Type", "application/json")
        http.send_header("Content-Length", str(len(payload)))
        http.end_headers()
        http.wfile.write(payload)


def _bad_request(message: str) -> tuple[int, dict]:
    return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": message}


class FakeTime:
    """One clock for the SDK's retries (a ``databricks.sdk.clock.Clock``) and for ``follow``."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
