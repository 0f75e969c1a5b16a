"""The no-op skip of ``clickstream-local run`` (no Spark): when nothing changed, nothing runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clickstream_cli import local, local_run
from clickstream_cli.run_state import STATE_FILE, RunGate

SINCE = "2026-11-25 19:10:00"


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A landing folder with one file, pipeline sources, a HOME that has run, and a fake
    ``run_pipeline`` that records its calls (or fails when told to)."""
    landing, source, home = tmp_path / "landing", tmp_path / "pipeline", tmp_path / "home"
    (landing / "day=1").mkdir(parents=True)
    (landing / "day=1" / "events-1.jsonl").write_text('{"messageId": "m1"}\n')
    (source / "transformations").mkdir(parents=True)
    (source / "spark-pipeline.yml").write_text("name: clickstream\n")
    (source / "transformations" / "silver_events.py").write_text("X = 1\n")
    for folder in ("metastore_db", "warehouse"):
        (home / folder).mkdir(parents=True)
    runs: list[bool] = []
    failing = {"now": False}

    def fake_run(landing_dir, home_dir, full_refresh=False, console=None, driver_memory="1g"):
        runs.append(full_refresh)
        if failing["now"]:
            raise local_run.RunError("run failed: boom")

    monkeypatch.setattr(local_run, "run_pipeline", fake_run)
    monkeypatch.setattr(local_run, "pipeline_source_dir", lambda: source)
    monkeypatch.delenv("CLICKSTREAM_PII_KEY", raising=False)

    class World:
        def run(self, *extra: str) -> int:
            return local.main(["run", "--landing", str(landing), "--home", str(home), *extra])

    w = World()
    w.landing, w.source, w.home, w.runs, w.failing = landing, source, home, runs, failing
    return w


def test_unchanged_inputs_skip_the_run_and_say_since_when(world, capsys):
    assert world.run() == 0
    capsys.readouterr()

    assert world.run() == 0

    assert len(world.runs) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "up to date since " in err
    assert f"nothing new in {world.landing.resolve()}" in err


def test_a_new_landing_file_runs(world):
    world.run()
    (world.landing / "day=1" / "events-2.jsonl.gz").write_bytes(b"new")

    world.run()

    assert len(world.runs) == 2


def test_a_touched_landing_file_runs(world):
    world.run()
    events = world.landing / "day=1" / "events-1.jsonl"
    stat = events.stat()
    os.utime(events, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    world.run()

    assert len(world.runs) == 2


def test_a_changed_pipeline_source_runs(world):
    world.run()
    (world.source / "transformations" / "silver_events.py").write_text("X = 2\n")

    world.run()

    assert len(world.runs) == 2


def test_a_changed_spec_template_runs(world):
    world.run()
    (world.source / "spark-pipeline.yml").write_text("name: clickstream\nconfiguration: {}\n")

    world.run()

    assert len(world.runs) == 2


def test_another_pii_key_runs(world, monkeypatch):
    world.run()
    monkeypatch.setenv("CLICKSTREAM_PII_KEY", "another-key")

    world.run()

    assert len(world.runs) == 2


def test_force_runs_anyway(world):
    world.run()

    world.run("--force")

    assert len(world.runs) == 2


def test_full_refresh_always_runs(world):
    world.run()

    world.run("--full-refresh")

    assert world.runs == [False, True]


def test_a_failed_run_leaves_no_fingerprint_and_the_next_run_goes_ahead(world):
    world.run()
    (world.landing / "day=1" / "events-2.jsonl").write_text("{}\n")
    world.failing["now"] = True

    assert world.run() == 1
    assert not (world.home / STATE_FILE).exists()

    world.failing["now"] = False
    (world.landing / "day=1" / "events-2.jsonl").unlink()  # back to the first run's files
    world.run()
    assert len(world.runs) == 3


def test_a_home_without_tables_runs_even_with_a_fingerprint(world):
    world.run()
    (world.home / "warehouse").rmdir()

    world.run()

    assert len(world.runs) == 2


def test_the_check_names_the_landing_folder_and_the_time_of_the_last_run(world):
    world.run()
    gate = RunGate.check(world.landing, world.home, world.source)
    assert gate.since is not None
    assert gate.message == f"up to date since {gate.since}: nothing new in {world.landing}"


def test_the_fingerprint_keeps_no_pii_key(world, monkeypatch):
    monkeypatch.setenv("CLICKSTREAM_PII_KEY", "a-secret-key-value")
    world.run()
    assert "a-secret-key-value" not in (world.home / STATE_FILE).read_text()


def test_the_check_does_not_import_pyspark():
    import subprocess
    import sys

    code = (
        "import sys; from clickstream_cli import local, run_state, local_run; "
        "sys.exit('pyspark' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent).returncode == 0
