"""The end-to-end scenario, run once per test session and shared by every module that needs it.

Batch 1 lands with two unreadable files (a cut-off upload and an empty ``.gz``) and is run;
batch 2, an empty file, a garbage file and a hostile file (``HOSTILE_LINES``) land and the
pipeline runs again (runs are the expensive
part: a second scenario would double the suite's slowest step).
"""

from __future__ import annotations

import pytest
from e2e_scenario import (
    GARBAGE_LINES,
    GOLD_TABLES,
    Snapshot,
    frozen,
    generate,
    land_hostile_file,
    land_unreadable_files,
    run,
)

from clickstream.contract import BRONZE_EVENTS, SILVER_EVENTS, SILVER_QUARANTINE


@pytest.fixture(scope="session")
def scenario(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    landing, home = root / "landing", root / "home"
    first = generate(landing, root / "manifest-1.json", events=2500, seed=11)
    land_unreadable_files(landing)
    first_output = run(landing, home)
    snap = Snapshot(spark, home)
    after_first = {
        name: frozen(snap.table(name))
        for name in (BRONZE_EVENTS, SILVER_EVENTS, SILVER_QUARANTINE, *GOLD_TABLES)
    }

    second = generate(landing, root / "manifest-2.json", events=500, seed=12)
    (landing / "empty.json").write_text("")
    (landing / "garbage.json").write_text("\n".join(GARBAGE_LINES) + "\n")
    land_hostile_file(landing)
    second_output = run(landing, home)
    return {
        "first": first,
        "second": second,
        "landing": landing,
        "home": home,
        "snap": snap,
        "after_first": after_first,
        "outputs": (first_output, second_output),
    }
