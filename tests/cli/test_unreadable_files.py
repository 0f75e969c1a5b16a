"""Unreadable landing files: found once, recorded in the raw zone, listed by `show` (no Spark)."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys

import pytest
from rich.console import Console

from clickstream_cli import file_faults
from clickstream_cli.file_faults import FaultRecord, inspect_landing, record_skipped_by_spark
from clickstream_cli.local_home import LocalHome
from clickstream_cli.local_show import render_file_faults

LINES = b"".join(b'{"messageId":"m%d","type":"page"}\n' % i for i in range(3000))


@pytest.fixture
def home(tmp_path):
    home = LocalHome(tmp_path / "home")
    home.prepare()
    return home


@pytest.fixture
def landing(tmp_path):
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "good.json.gz").write_bytes(gzip.compress(LINES))
    (folder / "plain.json").write_bytes(LINES[:200])
    (folder / "empty.json").write_bytes(b"")
    return folder


def _faults(landing, home) -> dict[str, str]:
    return {os.path.basename(f.path): f.error_class for f in inspect_landing(landing, home)}


def test_readable_files_are_not_recorded(landing, home):
    assert _faults(landing, home) == {}
    assert FaultRecord(home).faults() == []


def test_cut_off_gzip_is_recorded_with_its_error(landing, home):
    (landing / "truncated.json.gz").write_bytes(gzip.compress(LINES)[:1500])

    [fault] = inspect_landing(landing, home)

    assert fault.path == str(landing / "truncated.json.gz")
    assert fault.error_class == "EOFError"
    assert "end-of-stream" in fault.message
    assert fault.found_at.endswith("+00:00")


def test_empty_gzip_and_a_text_file_named_gz_are_recorded(landing, home):
    (landing / "empty.json.gz").write_bytes(b"")
    (landing / "not-gzip.json.gz").write_bytes(b"plain text\n")

    assert _faults(landing, home) == {
        "empty.json.gz": "EOFError",
        "not-gzip.json.gz": "BadGzipFile",
    }


def test_hidden_and_in_progress_files_are_skipped_like_spark_does(landing, home):
    (landing / ".partial.gz").write_bytes(b"x")
    (landing / "_tmp.gz").write_bytes(b"x")
    (landing / "upload.gz._COPYING_").write_bytes(b"x")

    assert _faults(landing, home) == {}


def test_a_file_the_process_may_not_read_is_recorded(landing, home, monkeypatch):
    # Simulated: tests run as root, where chmod 000 does not stop a read (see the next test).
    opener = file_faults._open_binary

    def refuse(path):
        if path.name == "secret.json":
            raise PermissionError(13, "Permission denied", str(path))
        return opener(path)

    (landing / "secret.json").write_bytes(LINES[:100])
    monkeypatch.setattr(file_faults, "_open_binary", refuse)

    assert _faults(landing, home) == {"secret.json": "PermissionError"}


# Root reads a chmod-000 file; without the capabilities that let it (setpriv), it cannot.
_DROP_ROOT_READ = [
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
]


@pytest.mark.skipif(
    os.geteuid() == 0 and not shutil.which("setpriv"),
    reason="root reads a chmod-000 file and setpriv is not there to prevent it",
)
def test_a_chmod_000_file_is_recorded_as_permission_denied(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_bytes(LINES[:100])
    secret.chmod(0)
    check = (
        "from pathlib import Path; from clickstream_cli.file_faults import check_file; "
        f"print(check_file(Path({str(secret)!r})))"
    )
    prefix = ["setpriv", *_DROP_ROOT_READ, "--"] if os.geteuid() == 0 else []

    result = subprocess.run(
        [*prefix, sys.executable, "-c", check],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.startswith("('PermissionError',"), result.stdout + result.stderr


def test_a_checked_file_is_not_read_again_until_it_changes(landing, home, monkeypatch):
    inspect_landing(landing, home)
    reads = []
    check = file_faults.check_file
    monkeypatch.setattr(
        file_faults, "check_file", lambda path: reads.append(path.name) or check(path)
    )

    inspect_landing(landing, home)
    assert reads == []

    (landing / "plain.json").write_bytes(LINES[:300])
    inspect_landing(landing, home)
    assert reads == ["plain.json"]


def test_a_recorded_file_stays_recorded_once_across_runs(landing, home):
    (landing / "truncated.json.gz").write_bytes(gzip.compress(LINES)[:1500])
    first = inspect_landing(landing, home)
    (landing / "more.json").write_bytes(LINES[:100])

    again = inspect_landing(landing, home)

    assert again == []
    assert FaultRecord(home).faults() == first
    assert FaultRecord(home).path.parent == home.warehouse  # the local raw zone


def test_files_spark_skipped_are_added_unless_already_recorded(landing, home):
    (landing / "truncated.json.gz").write_bytes(gzip.compress(LINES)[:1500])
    inspect_landing(landing, home)
    skipped = {
        (landing / "truncated.json.gz").as_uri(): "EOFException: Unexpected end of input stream",
        (landing / "odd.lz4").as_uri(): "IOException: Stream is corrupted",
    }

    [added] = record_skipped_by_spark(skipped, home)

    assert (added.path, added.error_class, added.message) == (
        str(landing / "odd.lz4"),
        "IOException",
        "Stream is corrupted",
    )
    assert len(FaultRecord(home).faults()) == 2


def test_show_lists_each_unreadable_file_whole_with_its_error(landing, home):
    (landing / "empty.json.gz").write_bytes(b"")
    inspect_landing(landing, home)
    console = Console(record=True, width=40)  # narrower than the path: it must not be cut

    render_file_faults(home, console)

    [line] = [x for x in console.export_text().splitlines() if "empty.json.gz" in x]
    assert str(landing / "empty.json.gz") in line and "EOFError" in line


def test_show_says_when_every_file_was_readable(home):
    console = Console(record=True, width=200)

    render_file_faults(home, console)

    assert "Unreadable landing files: none" in console.export_text()
