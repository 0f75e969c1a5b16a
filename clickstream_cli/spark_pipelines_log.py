"""What ``spark-pipelines run`` prints, as patterns: read by the CLI's progress and the benchmarks.

No pyspark: these are facts about the open-source launcher's console output and its local
Spark Connect server.
"""

from __future__ import annotations

import re

# A flow's state change: "Flow spark_catalog.default.silver_events is RUNNING.", "Flow
# 'spark_catalog.default.bronze_events' has FAILED.", "Flow '...gold_sessions' SKIPPED due to
# upstream failure(s)." The name stops at the quote the launcher may wrap it in.
FLOW_EVENT = re.compile(
    r"Flow [`'\"]?(?P<flow>[\w.`]+?)[`'\"]? (?:(?:is|has) )?(?P<state>[A-Z][A-Z_]+)\b"
)
RUN_EVENT = re.compile(r"Run is (?P<state>[A-Z_]+)")
TERMINAL_FLOW_STATES = frozenset({"COMPLETED", "FAILED", "STOPPED", "SKIPPED", "EXCLUDED"})
ACTIVE_FLOW_STATES = ("STARTING", "RUNNING")
# spark-pipelines starts a local Spark Connect server on this fixed port.
CONNECT_PORT = 15002


def flow_table_name(qualified: str) -> str:
    """``spark_catalog.default.silver_events`` (or a back-quoted form) -> ``silver_events``."""
    return qualified.replace("`", "").split(".")[-1]


# The first line of a failed flow's stack trace, logged by the graph executor:
# "02:58:07 ERROR TriggeredGraphExecution: Flow `spark_catalog`.`default`.`bronze_events` failed".
FLOW_FAILURE_TRACE = re.compile(r" ERROR \w+: Flow (?P<flow>\S+) failed\s*$")
# A new entry of the launcher's or the server's log (the end of a stack trace before it):
# "2026-11-26 02:58:07: Flow ..." or "02:58:13 ERROR Utils: ...".
LOG_ENTRY = re.compile(r"^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: |\d\d:\d\d:\d\d [A-Z]+ )")
# A Spark error class and its message: "[FAILED_READ_FILE.NO_HINT] Encountered error ...".
ERROR_CLASS = re.compile(r"\[(?P<cls>[A-Z][A-Z0-9_]+(?:\.[A-Z0-9_]+)*)\]\s*(?P<msg>.+)")
# A JVM or Python exception: "java.io.EOFException: Unexpected end of input stream".
EXCEPTION = re.compile(r"(?P<cls>(?:[a-z0-9_]+\.)+[A-Z]\w*(?:Exception|Error)): (?P<msg>.+)")
# What FileScanRDD logs (at WARN) when ignoreCorruptFiles / ignoreMissingFiles skip a file; the
# exception follows on the next line.
SKIPPED_FILE = re.compile(
    r"WARN FileScanRDD: Skipped (?:the rest of the content in the corrupted|missing) file: "
    r"path: (?P<path>\S+), range:"
)
