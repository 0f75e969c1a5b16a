"""What a ``spark-pipelines run`` said, line by line: flow states and the root cause of a failure.

The failure line must name the cause, not an echo of it: the first flow that failed, its Spark
error class and message (which names the file when a file could not be read) and the deepest
``Caused by`` of its stack trace. Start-up warnings (the launcher re-setting static confs it was
already given prints ``CANNOT_MODIFY_STATIC_CONFIG`` on every run) and the secondary errors of a
shutdown are never the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clickstream_cli.spark_pipelines_log import (
    ERROR_CLASS,
    EXCEPTION,
    FLOW_EVENT,
    FLOW_FAILURE_TRACE,
    LOG_ENTRY,
    RUN_EVENT,
    SKIPPED_FILE,
    flow_table_name,
)

_SQLSTATE = re.compile(r"\s*SQLSTATE: \w+")
_WRAPPED = "terminated with exception: "
# Lines that report a problem which is not the run's failure.
_NOT_A_CAUSE = ("Warning: ", "INVALID_HANDLE")


def _clean(message: str) -> str:
    return " ".join(_SQLSTATE.sub("", message).split())


def _error_of(line: str) -> str | None:
    """``[CLASS] message`` of a line, unwrapping ``[STREAM_FAILED] ... terminated with
    exception: [CLASS] ...`` to the inner error."""
    if _WRAPPED in line:
        line = line.split(_WRAPPED, 1)[1]
    if match := ERROR_CLASS.search(line):
        return f"[{match['cls']}] {_clean(match['msg'])}"
    return None


def _exception_of(line: str) -> str | None:
    if match := EXCEPTION.search(line):
        return f"{match['cls'].split('.')[-1]}: {_clean(match['msg'])}"
    return None


@dataclass
class FlowFailure:
    """The first failure of a flow: its error and the deepest cause in its stack trace."""

    flow: str
    error: str | None = None
    cause: str | None = None

    def line(self) -> str:
        text = f"flow {self.flow} failed: {self.error or self.cause or 'see the log'}"
        if self.error and self.cause and self.cause.split(":")[0] not in self.error:
            text += f" (caused by {self.cause})"
        return text


@dataclass
class RunProgress:
    """What the run's output said so far."""

    flows: dict[str, str] = field(default_factory=dict)
    run_state: str | None = None
    first_error: str | None = None
    first_exception: str | None = None
    flow_failure: FlowFailure | None = None
    # Files Spark skipped (ignoreCorruptFiles / ignoreMissingFiles): path -> "Class: message".
    skipped_files: dict[str, str] = field(default_factory=dict)
    _trace: FlowFailure | None = None
    _skipped: str | None = None
    _failed_flow: str | None = None

    def feed(self, line: str) -> tuple[str, str] | None:
        """Record one output line; returns (flow, state) when a flow changed state."""
        if self._read_skipped_file(line):
            return None  # a skipped file is recorded, not a failure
        if self._trace is not None:
            if LOG_ENTRY.match(line):
                self._trace = None  # the trace ended; this line is read below
            else:
                self._read_trace(line)
                return None
        if match := FLOW_FAILURE_TRACE.search(line):
            if self.flow_failure is None:
                self._trace = self.flow_failure = FlowFailure(flow_table_name(match["flow"]))
            return None
        if match := FLOW_EVENT.search(line):
            flow = flow_table_name(match["flow"])
            self.flows[flow] = match["state"]
            self._failed_flow = flow if match["state"] == "FAILED" else None
            return flow, match["state"]
        if match := RUN_EVENT.search(line):
            self.run_state = match["state"]
            return None
        if self._failed_flow and line.startswith("Error: "):
            # No stack trace was logged for this flow: the launcher's summary line names it.
            if self.flow_failure is None:
                self.flow_failure = FlowFailure(self._failed_flow, _error_of(line))
            self._failed_flow = None
        if any(marker in line for marker in _NOT_A_CAUSE):
            return None
        if self.first_error is None and (error := _error_of(line)):
            self.first_error = error
        elif self.first_exception is None and (exception := _exception_of(line)):
            self.first_exception = exception
        return None

    def _read_trace(self, line: str) -> None:
        trace = self._trace
        assert trace is not None
        if trace.error is None and (error := _error_of(line)):
            trace.error = error
        if line.startswith("Caused by: ") and (cause := _exception_of(line)):
            trace.cause = cause  # the last one is the deepest

    def _read_skipped_file(self, line: str) -> bool:
        """Read a skipped-file warning or the exception line after it; True if it was one."""
        if self._skipped is not None:
            self.skipped_files[self._skipped] = _exception_of(line) or _clean(line)
            self._skipped = None
            return True
        if match := SKIPPED_FILE.search(line):
            self._skipped = match["path"]
            return True
        return False

    @property
    def reason(self) -> str | None:
        """The root cause: the first failing flow's error, else the first Spark error class,
        else the first exception."""
        if self.flow_failure is not None:
            return self.flow_failure.line()
        return self.first_error or self.first_exception
