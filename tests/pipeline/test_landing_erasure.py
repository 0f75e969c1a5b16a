"""The erasure job's landing task (clickstream.landing_erasure): the person's lines leave each
affected landing file through ``dbutils.fs``, every other byte stays, and every file gets a result.

The end-to-end tests run the job's code path (Spark's text and binaryFile readers, the same
``DbutilsLandingFiles``) against a local folder, with a ``dbutils.fs`` stand-in that copies,
lists and removes local files; the call test pins what the runtime's ``dbutils.fs`` receives.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest

from clickstream.bronze_events import AUTO_LOADER_OPTIONS
from clickstream.erasure import ClearValues
from clickstream.landing_erasure import (
    FAILED,
    MISSING,
    REWRITTEN,
    UNCHANGED,
    DbutilsLandingFiles,
    FileResult,
    lines_to_drop,
    rewrite_files,
    staging_folder,
)

THEIRS = json.dumps({"messageId": "m1", "type": "track", "userId": "usr_1", "event": "x"})
THEIRS_TOO = json.dumps({"messageId": "m2", "type": "page", "anonymousId": "anon_1"})
OTHERS = json.dumps({"messageId": "m3", "type": "track", "userId": "usr_2", "event": "y"})
PERSON = ClearValues(user_ids=frozenset({"usr_1"}), anonymous_ids=frozenset({"anon_1"}))


def _local(uri: str) -> Path:
    return Path(urlparse(uri).path)


class LocalFs:
    """``dbutils.fs`` on local files: ``cp`` replaces an existing target, as ADLS's does."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def cp(self, source: str, dest: str, recurse: bool = False) -> bool:
        self.calls.append(("cp", source, dest))
        _local(dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_local(source), _local(dest))
        return True

    def rm(self, dir: str, recurse: bool = False) -> bool:
        self.calls.append(("rm", dir))
        _local(dir).unlink()
        return True

    def ls(self, path: str) -> list:
        self.calls.append(("ls", path))
        local = _local(path)
        if not local.exists():
            raise FileNotFoundError(path)
        return [SimpleNamespace(path=path, size=local.stat().st_size)]


@pytest.fixture
def landing(spark, tmp_path):
    folder = tmp_path / "landing" / "clickstream"
    folder.mkdir(parents=True)
    (folder / "a.json").write_bytes(f"{OTHERS}\r\n{THEIRS}\n{OTHERS}".encode())
    (folder / "b.json.gz").write_bytes(gzip.compress(f"{THEIRS_TOO}\n{OTHERS}\n".encode(), mtime=7))
    (folder / "c.json").write_bytes(f"{OTHERS}\n".encode())
    files = sorted(
        r[0]
        for r in spark.read.text(str(folder)).select("_metadata.file_path").distinct().collect()
    )
    return folder, files, files[0].rsplit("/", 1)[0] + "/"


def _rewrite(spark, files, landing_path, fs=None):
    fs = fs or LocalFs()
    store = DbutilsLandingFiles(spark, fs, staging_folder(landing_path))
    return rewrite_files(store, files, lines_to_drop(spark, files, PERSON), landing_path)


def test_only_the_persons_lines_leave_a_plain_file(spark, landing):
    folder, files, path = landing
    _rewrite(spark, files, path)
    assert (folder / "a.json").read_bytes() == f"{OTHERS}\r\n{OTHERS}".encode()


def test_a_gzipped_file_stays_gzipped_with_its_header_time(spark, landing):
    folder, files, path = landing
    _rewrite(spark, files, path)
    data = (folder / "b.json.gz").read_bytes()
    assert gzip.decompress(data) == f"{OTHERS}\n".encode()
    assert data[4:8] == (7).to_bytes(4, "little")


def test_each_file_gets_its_result(spark, landing):
    folder, files, path = landing
    results = {Path(r.file).name: r for r in _rewrite(spark, files, path)}
    assert results["a.json"] == FileResult(files[0], REWRITTEN, 1)
    assert results["b.json.gz"].result == REWRITTEN and results["b.json.gz"].lines == 1
    assert results["c.json"].result == UNCHANGED


def test_a_second_run_finds_nothing_left_and_changes_nothing(spark, landing):
    folder, files, path = landing
    _rewrite(spark, files, path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert {r.result for r in _rewrite(spark, files, path)} == {UNCHANGED}
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_no_staging_copy_is_left_and_none_lands_where_auto_loader_reads(spark, landing):
    folder, files, path = landing
    _rewrite(spark, files, path)
    assert sorted(p.name for p in folder.iterdir()) == ["a.json", "b.json.gz", "c.json"]
    staging = folder.parent / "_erasure"
    assert not staging.exists() or not any(staging.iterdir())


def test_a_vanished_file_is_recorded_missing(spark, landing):
    folder, files, path = landing
    drops = lines_to_drop(spark, files, PERSON)
    (folder / "a.json").unlink()
    store = DbutilsLandingFiles(spark, LocalFs(), staging_folder(path))
    results = {Path(r.file).name: r.result for r in rewrite_files(store, files, drops, path)}
    assert results["a.json"] == MISSING


def test_a_file_that_cannot_be_written_is_left_as_it_was_and_recorded_failed(spark, landing):
    folder, files, path = landing
    before = (folder / "a.json").read_bytes()

    class ReadOnlyFs(LocalFs):
        def cp(self, source, dest, recurse=False):
            if "_erasure" not in dest:
                raise PermissionError(f"{dest}: WRITE FILES missing")
            return super().cp(source, dest, recurse)

    results = {Path(r.file).name: r for r in _rewrite(spark, files, path, ReadOnlyFs())}
    assert results["a.json"].result == FAILED
    assert "WRITE FILES missing" in results["a.json"].reason
    assert (folder / "a.json").read_bytes() == before


def test_a_file_outside_the_landing_path_is_refused(spark, landing):
    folder, files, path = landing
    elsewhere = path.replace("/landing/", "/other/")
    (result,) = rewrite_files(
        DbutilsLandingFiles(spark, LocalFs(), "x"), [elsewhere + "a.json"], {}, path
    )
    assert result.result == FAILED and result.reason == "outside the landing path"


class RecordingFs:
    """Records the calls as the runtime's ``dbutils.fs`` would receive them; nothing is written."""

    def __init__(self, size: int) -> None:
        self.calls: list[tuple] = []
        self.size = size

    def cp(self, source, dest, recurse=False):
        self.calls.append(("cp", source, dest))
        return True

    def rm(self, dir, recurse=False):
        self.calls.append(("rm", dir))
        return True

    def ls(self, path):
        self.calls.append(("ls", path))
        return [SimpleNamespace(path=path, size=self.size)]


def test_the_runtime_dbutils_receives_stage_check_replace_check_remove(spark):
    fs = RecordingFs(size=4)
    store = DbutilsLandingFiles(spark, fs, "abfss://landing@acct.dfs.core.windows.net/_erasure/")
    target = "abfss://landing@acct.dfs.core.windows.net/clickstream/2026/a.json"
    store.replace(target, b"new\n")
    local, staged = fs.calls[0][1], fs.calls[0][2]
    assert local.startswith("file:/")
    assert staged.startswith("abfss://landing@acct.dfs.core.windows.net/_erasure/")
    assert staged.endswith("-a.json")
    assert fs.calls == [
        ("cp", local, staged),
        ("ls", staged),
        ("cp", staged, target),
        ("ls", target),
        ("rm", staged),
    ]
    assert not Path(local[len("file:") :]).exists()


def test_a_replacement_whose_size_does_not_match_fails_and_is_cleaned_up(spark):
    fs = RecordingFs(size=3)
    store = DbutilsLandingFiles(spark, fs, "abfss://landing@acct.dfs.core.windows.net/_erasure/")
    with pytest.raises(OSError, match="incomplete"):
        store.replace("abfss://landing@acct.dfs.core.windows.net/clickstream/a.json", b"new\n")
    assert [c[0] for c in fs.calls] == ["cp", "ls", "rm"]


def test_the_staging_folder_is_beside_the_landing_folder():
    landing = "abfss://landing@acct.dfs.core.windows.net/clickstream/"
    assert staging_folder(landing) == "abfss://landing@acct.dfs.core.windows.net/_erasure/"
    assert not staging_folder(landing).startswith(landing)


def test_auto_loader_never_reads_an_overwritten_file_again():
    # cloudFiles.allowOverwrites defaults to false: each file is processed exactly once
    # (Auto Loader FAQ); the rewrite relies on that default staying in place.
    assert AUTO_LOADER_OPTIONS.get("cloudFiles.allowOverwrites", "false") == "false"
