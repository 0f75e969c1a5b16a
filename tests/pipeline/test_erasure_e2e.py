"""End to end: ``clickstream-local forget`` on the shared scenario, then one more ``run``.

The module fixture forgets person A of the sample data, starts forgetting person B and kills
that ``forget`` half-way, lets a bare ``forget`` complete it, runs the pipeline again, and
forgets A a second time. Each test checks one promise of the erasure. The scenario's HOME and
landing folder are restored afterwards (tables are read by absolute path, so they are erased in
place and copied back at the same path).
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_scenario import Snapshot, frozen, run
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual
from rich.console import Console

from clickstream.contract import (
    BRONZE_EVENTS,
    GOLD_QUALITY_DAILY,
    GOLD_QUALITY_LEDGER,
    QUALITY_ACCEPTED,
    QUALITY_DUPLICATES,
    QUALITY_QUARANTINED,
    QUALITY_RECEIVED,
    SILVER_EVENTS,
    SILVER_QUARANTINE,
)
from clickstream.runtime import DEVELOPMENT_PII_KEY
from clickstream_cli.erasure_log import ErasureRecord, render_erasure_log
from clickstream_cli.file_faults import landing_files
from clickstream_cli.local_home import LocalHome

pytestmark = pytest.mark.e2e
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")


def _lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return []  # the scenario's damaged archives hold no sample person
    return data.decode("utf-8", errors="replace").splitlines()


def _events(landing: Path):
    for path in landing_files(landing):
        for line in _lines(path):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                yield event, line


def _pii_hash(value: str) -> str:
    return hmac.new(DEVELOPMENT_PII_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class Person:
    """A sample user: their clear identifiers as found in the landing files, and their hashes."""

    def __init__(self, landing: Path, user_id: str) -> None:
        self.user_id = user_id
        self.anonymous_ids, self.emails = set(), set()
        for event, line in _events(landing):
            if event.get("userId") == user_id:
                self.anonymous_ids.add(event["anonymousId"])
                self.emails |= {e.lower().strip() for e in EMAIL.findall(line)}
        clear = {user_id, *self.anonymous_ids, *self.emails}
        self.hashes = {_pii_hash(v) for v in clear}
        self.needles = {v.lower() for v in clear} | self.hashes

    def in_text(self, text: str) -> bool:
        text = text.lower()
        return any(n in text for n in self.needles)

    def row_holds_them(self, frame):
        text = F.lower(F.to_json(F.struct(*frame.columns)))
        found = F.lit(False)
        for needle in self.needles:
            found = found | text.contains(needle)
        return found


def _pick_people(landing: Path) -> tuple[str, str]:
    """Two identified users with many events (deterministic for the scenario's seeds)."""
    counts, identified = collections.Counter(), set()
    for event, _line in _events(landing):
        if isinstance(event.get("userId"), str):
            counts[event["userId"]] += 1
            if event.get("type") == "identify":
                identified.add(event["userId"])
    ranked = [u for u, _ in counts.most_common() if u in identified]
    return ranked[2], ranked[3]


def _forget(home: Path, landing: Path, *args: str, wait: bool = True):
    command = [sys.executable, "-m", "clickstream_cli.local", "forget"]
    command += ["--home", str(home), "--landing", str(landing), *args]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ)
    )
    if not wait:
        return process
    output, _ = process.communicate(timeout=1800)
    return process.returncode, output


def _kill_half_way(home: Path, landing: Path, user_id: str) -> str:
    """Start forgetting ``user_id`` and SIGKILL it once its journal shows a step done."""
    process = _forget(home, landing, "--user-id", user_id, wait=False)
    pending = ErasureRecord(LocalHome(home)).pending
    deadline = time.monotonic() + 1200
    while time.monotonic() < deadline and process.poll() is None:
        entries = [json.loads(p.read_text()) for p in pending.glob("*.json")]
        if any(e.get("removed", {}).get("landing lines") for e in entries):
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.2)
    output, _ = process.communicate()
    assert process.returncode == -signal.SIGKILL, "forget ended before it could be killed"
    return output


def _file_times(*roots: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and (root.name == "landing" or path.suffix == ".parquet"):
                found[str(path)] = (path.stat().st_size, path.stat().st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def erased(scenario, spark, tmp_path_factory):
    home, landing = scenario["home"], scenario["landing"]
    backup = tmp_path_factory.mktemp("erasure-backup")
    shutil.copytree(home, backup / "home", symlinks=True)
    shutil.copytree(landing, backup / "landing", symlinks=True)
    snap = Snapshot(spark, home)
    before = {
        name: frozen(snap.table(name)) for name in (BRONZE_EVENTS, SILVER_EVENTS, SILVER_QUARANTINE)
    }
    first, second = _pick_people(landing)
    person, other = Person(landing, first), Person(landing, second)
    landing_before = {p: (_lines(p), p.stat().st_mtime_ns) for p in landing_files(landing)}
    outputs = []
    try:
        code, output = _forget(home, landing, "--user-id", person.user_id)
        assert code == 0, output
        outputs.append(output)
        outputs.append(_kill_half_way(home, landing, other.user_id))
        log_after_kill = ErasureRecord(LocalHome(home)).entries()
        code, output = _forget(home, landing)  # completes what the killed one journalled
        assert code == 0, output
        outputs.append(output)
        outputs.append(run(landing, home))
        times = _file_times(landing, home)
        code, output = _forget(home, landing, "--user-id", person.user_id)
        assert code == 0, output
        outputs.append(output)
        yield {
            "home": home,
            "landing": landing,
            "snap": snap,
            "before": before,
            "person": person,
            "other": other,
            "landing_before": landing_before,
            "outputs": outputs,
            "log_after_kill": log_after_kill,
            "times_before_again": times,
            "times_after_again": _file_times(landing, home),
        }
    finally:
        for target, saved in ((home, backup / "home"), (landing, backup / "landing")):
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(saved, target, symlinks=True)


def _tables(home: Path) -> list[Path]:
    warehouse = LocalHome(home).warehouse
    return sorted(p for p in warehouse.iterdir() if p.is_dir() and any(p.glob("*.parquet")))


def test_no_table_holds_their_identifiers_or_hashes(erased, spark):
    for folder in _tables(erased["home"]):
        table = spark.read.parquet(str(folder))
        for person in (erased["person"], erased["other"]):
            assert table.where(person.row_holds_them(table)).count() == 0, folder.name


def test_no_file_under_home_or_landing_holds_them(erased):
    for root in (erased["home"], erased["landing"]):
        for path in root.rglob("*"):
            if path.is_file():
                text = "\n".join(_lines(path)) if path.suffix == ".gz" else path.read_bytes()
                text = text if isinstance(text, str) else text.decode("latin-1")
                for person in (erased["person"], erased["other"]):
                    assert not person.in_text(text), path


def test_silver_has_exactly_their_events_fewer(erased):
    before = erased["before"][SILVER_EVENTS]
    person, other = erased["person"], erased["other"]
    theirs = F.lit(False)
    for someone in (person, other):
        theirs = theirs | F.col("user_key").isin(sorted(someone.hashes))
        theirs = theirs | (
            F.col("user_key").isNull() & F.col("anonymous_key").isin(sorted(someone.hashes))
        )
        theirs = theirs | F.col("email_hash").isin(sorted(someone.hashes))
    theirs = F.coalesce(theirs, F.lit(False))  # a null key is not theirs
    after = erased["snap"].table(SILVER_EVENTS)
    assert before.where(theirs).count() > 0
    assertDataFrameEqual(after, before.where(~theirs))


def test_bronze_and_quarantine_lose_their_rows_and_nothing_else(erased):
    for name in (BRONZE_EVENTS, SILVER_QUARANTINE):
        before = erased["before"][name]
        kept = before
        for someone in (erased["person"], erased["other"]):
            kept = kept.where(~someone.row_holds_them(kept))
        assertDataFrameEqual(erased["snap"].table(name), kept)


def test_row_accounting_still_holds(erased):
    quality = erased["snap"].table(GOLD_QUALITY_DAILY)
    totals = collections.defaultdict(dict)
    for row in quality.collect():
        totals[row.ingest_date][row.rule] = row.rows
    for day in totals.values():
        assert day[QUALITY_RECEIVED] == (
            day[QUALITY_QUARANTINED] + day[QUALITY_ACCEPTED] + day[QUALITY_DUPLICATES]
        )
        assert day[QUALITY_DUPLICATES] >= 0
    snap = erased["snap"]
    ledger, bronze = snap.table(GOLD_QUALITY_LEDGER), snap.table(BRONZE_EVENTS)
    assert sum(d[QUALITY_RECEIVED] for d in totals.values()) == ledger.count()
    assert sum(d[QUALITY_ACCEPTED] for d in totals.values()) == snap.table(SILVER_EVENTS).count()
    # The ledger lost the erased events (by event id); what it keeps beyond Bronze are erased
    # raw rows without one (a line with no messageId), counted under no one's name.
    without_id = ledger.where("event_id IS NULL").count()
    assert (
        ledger.count() - bronze.count()
        == without_id - bronze.where(F.trim("messageId").isNull()).count()
    )


def test_landing_files_lose_only_their_lines_and_keep_format_and_time(erased):
    for path, (lines, mtime) in erased["landing_before"].items():
        expected = [
            line
            for line in lines
            if not (erased["person"].in_text(line) or erased["other"].in_text(line))
        ]
        assert _lines(path) == expected, path
        assert path.stat().st_mtime_ns == mtime, path
        if path.suffix == ".gz" and lines:
            assert path.read_bytes()[:2] == b"\x1f\x8b"


def _log_hash(home: Path, value: str) -> str:
    key = (LocalHome(home).root / "state" / "erasure" / "key").read_text().strip().encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def test_the_log_names_them_only_under_its_own_key(erased):
    home, person = erased["home"], erased["person"]
    log = ErasureRecord(LocalHome(home)).entries()
    first = log[0]
    assert first["status"] == "done"
    assert first["identifiers"]["user_ids"] == [_log_hash(home, person.user_id)]
    assert _pii_hash(person.user_id) not in json.dumps(log)
    before = erased["before"][SILVER_EVENTS].count()
    assert first["removed"][SILVER_EVENTS] > 0
    assert first["removed"][SILVER_EVENTS] < before


def test_a_killed_forget_is_never_logged_done_and_the_next_one_completes_it(erased):
    home, other = erased["home"], erased["other"]
    logged = _log_hash(home, other.user_id)
    assert all(logged not in e["identifiers"]["user_ids"] for e in erased["log_after_kill"])
    completed = [
        e
        for e in ErasureRecord(LocalHome(home)).entries()
        if logged in e["identifiers"]["user_ids"]
    ]
    assert [e["status"] for e in completed] == ["done"]
    assert ErasureRecord(LocalHome(home)).open_entries() == []


def test_forgetting_the_same_person_again_succeeds_and_changes_nothing(erased):
    last = ErasureRecord(LocalHome(erased["home"])).entries()[-1]
    assert last["status"] == "nothing found"
    assert not any(last["removed"].values())
    assert erased["times_after_again"] == erased["times_before_again"]


def test_nothing_forget_prints_holds_their_identifiers(erased):
    for output in erased["outputs"][:3] + erased["outputs"][4:]:
        for person in (erased["person"], erased["other"]):
            assert not person.in_text(output)


def test_show_lists_the_erasure_log(erased):
    printed = io.StringIO()
    render_erasure_log(LocalHome(erased["home"]), Console(file=printed, width=200))
    for entry in ErasureRecord(LocalHome(erased["home"])).entries():
        assert entry["request_id"] in printed.getvalue()
