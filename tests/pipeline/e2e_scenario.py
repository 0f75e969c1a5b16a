"""The end-to-end scenario's helpers: generate, run, land unreadable files, read a HOME's tables.

The scenario itself is the session fixture ``scenario`` in this folder's conftest.py, so every
test module that needs the tables of the real pipeline run (test_end_to_end.py,
test_dashboard_sql.py) shares one run.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
from pathlib import Path

from pyspark.testing import assertDataFrameEqual

from clickstream.contract import GOLD_DAILY_METRICS, GOLD_DIM_USERS, GOLD_SESSIONS
from clickstream_cli import local
from clickstream_cli.local_home import LocalHome

GARBAGE_LINES = ["this is not an event", "<html>502 Bad Gateway</html>", "\x00\x01 binary-ish"]


def _hostile(n: int, rest: str = "", timestamp: str = "2026-03-02T10:00:00Z") -> str:
    return (
        f'{{"messageId":"hostile-{n:02d}","type":"identify","userId":"hostile-user-{n}",'
        f'"timestamp":"{timestamp}"{rest}}}'
    )


# A hostile file lands beside the good ones in batch 2 (saved with a BOM and CRLF line ends):
# each line and where it must end, Silver (no failed rule) or the quarantine under these rules.
HOSTILE_FILE = "hostile.json"
HOSTILE_LINES: list[tuple[str, list[str]]] = [
    (_hostile(1, ',"traits":{"plan":"pro","plan":"free"}'), ["no_repeated_keys"]),
    (_hostile(2, ',"context":{"traits":{"plan":"pro","plan":"free"}}'), ["no_repeated_keys"]),
    (_hostile(3, ',"properties":{"url":"/a","url":"/b"}'), ["no_repeated_keys"]),
    (_hostile(4, ',"userId":"someone-else"'), ["no_repeated_keys"]),
    (_hostile(5, timestamp="0001-01-01T00:00:00Z"), ["plausible_event_time"]),
    (_hostile(6, timestamp="9999-12-31T23:59:59Z"), ["plausible_event_time"]),
    (_hostile(7, timestamp="2026-13-01T00:00:00Z"), ["has_event_time"]),
    (_hostile(8, ',"traits":{"plan":"pro\\ud800\\u0000","name":"\\ud83d\\ude00"}'), []),
    (_hostile(9, ',"properties":{"n":1e400,"big":123456789012345678901234567890}'), []),
    (_hostile(10, ',"_corrupt_record":"a real field, not the marker"'), []),
    (_hostile(11, ',"context":[1,2],"traits":"pro","properties":{"a":{"b":1,"b":2}}'), []),
]
GOLD_TABLES = (GOLD_SESSIONS, GOLD_DAILY_METRICS, GOLD_DIM_USERS)
CUT_OFF, EMPTY_GZ = "cut-off-upload.json.gz", "placeholder.json.gz"
# Valid, distinct events in the cut-off upload: the ones before the cut may be kept.
CUT_OFF_EVENTS = [
    json.dumps(
        {
            "messageId": f"cut-{i:04d}",
            "type": "page",
            "name": "Home",
            "anonymousId": f"cut-anon-{i % 7}",
            "timestamp": "2026-03-02T10:00:00Z",
            "context": {"page": {"path": "/"}},
        }
    )
    for i in range(3000)
]


def generate(landing: Path, manifest: Path, events: int, seed: int) -> dict:
    code = local.main(
        [
            "generate",
            "--out",
            str(landing),
            "--events",
            str(events),
            "--seed",
            str(seed),
            "--manifest",
            str(manifest),
        ]
    )
    assert code == 0
    return json.loads(manifest.read_text())


def run(landing: Path, home: Path) -> str:
    """One `clickstream-local run`; it must succeed. Returns what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        code = local.main(["run", "--landing", str(landing), "--home", str(home)])
    assert code == 0, printed.getvalue()[-3000:]
    return printed.getvalue()


def land_unreadable_files(landing: Path) -> None:
    whole = gzip.compress(("\n".join(CUT_OFF_EVENTS) + "\n").encode())
    (landing / CUT_OFF).write_bytes(whole[: len(whole) // 2])
    (landing / EMPTY_GZ).write_bytes(b"")


def land_hostile_file(landing: Path) -> None:
    text = "\r\n".join(line for line, _ in HOSTILE_LINES) + "\r\n"
    (landing / HOSTILE_FILE).write_bytes(("\ufeff" + text).encode("utf-8"))


def frozen(frame):
    """The rows of a table as they are now, no longer backed by its (changing) files."""
    return frame.sparkSession.createDataFrame(frame.collect(), frame.schema)


class Snapshot:
    """The tables of a HOME, read straight from the warehouse folder as they are now."""

    def __init__(self, spark, home: Path) -> None:
        self.spark = spark
        self.warehouse = LocalHome(home).warehouse

    def table(self, name: str):
        return self.spark.read.parquet(str(self.warehouse / name))


def assert_gold_agrees_with_silver(silver, gold: dict) -> None:
    """Every Gold table equals its plain function applied to the Silver table of the same run."""
    from clickstream.gold_daily_metrics import build_daily_metrics
    from clickstream.gold_dim_users import build_dim_users
    from clickstream.gold_sessions import build_sessions

    sessions = build_sessions(silver)
    assertDataFrameEqual(gold[GOLD_SESSIONS], sessions)
    assertDataFrameEqual(gold[GOLD_DAILY_METRICS], build_daily_metrics(silver))
    assertDataFrameEqual(gold[GOLD_DIM_USERS], build_dim_users(silver))
