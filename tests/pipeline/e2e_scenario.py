"""The end-to-end scenario's helpers: generate, run, read the tables of a HOME, compare Gold.

The scenario itself is the session fixture ``scenario`` in this folder's conftest.py, so every
test module that needs the tables of the real pipeline run (test_end_to_end.py,
test_dashboard_sql.py) shares one run.
"""

from __future__ import annotations

import json
from pathlib import Path

from pyspark.testing import assertDataFrameEqual

from clickstream.contract import GOLD_DAILY_METRICS, GOLD_DIM_USERS, GOLD_SESSIONS, SILVER_EVENTS
from clickstream_cli import local
from clickstream_cli.local_home import LocalHome

GARBAGE_LINES = ["this is not an event", "<html>502 Bad Gateway</html>", "\x00\x01 binary-ish"]


def generate(landing: Path, manifest: Path, events: int, seed: int) -> dict:
    code = local.main(["generate", "--out", str(landing), "--events", str(events),
                       "--seed", str(seed), "--manifest", str(manifest)])
    assert code == 0
    return json.loads(manifest.read_text())


def run(landing: Path, home: Path) -> None:
    assert local.main(["run", "--landing", str(landing), "--home", str(home)]) == 0


class Snapshot:
    """The tables of a HOME, read straight from the warehouse folder as they are now."""

    def __init__(self, spark, home: Path) -> None:
        self.spark = spark
        self.warehouse = LocalHome(home).warehouse

    def table(self, name: str):
        return self.spark.read.parquet(str(self.warehouse / name))


def gold_agrees_with_silver(snap: Snapshot) -> bool:
    """Every Gold table equals its plain function applied to the Silver table of the same run."""
    from clickstream.daily_metrics import build_daily_metrics
    from clickstream.dim_users import build_dim_users
    from clickstream.sessions import build_sessions

    silver = snap.table(SILVER_EVENTS)
    sessions = build_sessions(silver)
    assertDataFrameEqual(snap.table(GOLD_SESSIONS), sessions)
    assertDataFrameEqual(snap.table(GOLD_DAILY_METRICS), build_daily_metrics(silver, sessions))
    assertDataFrameEqual(snap.table(GOLD_DIM_USERS), build_dim_users(silver))
    return True
