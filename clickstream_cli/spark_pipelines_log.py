"""What ``spark-pipelines run`` prints, as patterns: read by the CLI's progress and the benchmarks.

No pyspark: these are facts about the open-source launcher's console output and its local
Spark Connect server.
"""

from __future__ import annotations

import re

# A flow's state change: "Flow spark_catalog.default.silver_events is RUNNING." The name stops
# at whitespace or quote/punctuation the launcher wraps it in.
FLOW_EVENT = re.compile(r"Flow [`'\"]?(?P<flow>[\w.`]+?)[`'\"]? (?:is|has) (?P<state>[A-Z_]+)")
RUN_EVENT = re.compile(r"Run is (?P<state>[A-Z_]+)")
TERMINAL_FLOW_STATES = frozenset({"COMPLETED", "FAILED", "STOPPED", "SKIPPED", "EXCLUDED"})
ACTIVE_FLOW_STATES = ("STARTING", "RUNNING")
# spark-pipelines starts a local Spark Connect server on this fixed port.
CONNECT_PORT = 15002


def flow_table_name(qualified: str) -> str:
    """``spark_catalog.default.silver_events`` (or a back-quoted form) -> ``silver_events``."""
    return qualified.replace("`", "").split(".")[-1]
