"""The erasure job's landing step: rewrite each affected landing file without the person's lines.

Three parts, so a test runs the job's code path against a local folder:

- :func:`lines_to_drop` (Spark): read the files as lines with the text source, the way Auto
  Loader ``text`` read them into Bronze, parse them as Bronze rows, and name each line the
  person's raw rows match (:func:`clickstream.erasure.raw_match`) by its text, per file;
- :class:`DbutilsLandingFiles`, the file I/O: read a file's bytes with Spark's ``binaryFile``
  source, replace it through ``dbutils.fs`` (a thin object with ``cp``, ``rm`` and ``ls``, so a
  test can pin the calls or hand it a local stand-in);
- :func:`rewrite_files`: per file, :func:`clickstream.landing_lines.drop_lines` and a
  :class:`FileResult` (rewritten with the line count, unchanged, missing, or failed with the
  reason). A file that cannot be rewritten is left as it was.

Replacing a file: the new bytes go to a local temporary file on the driver, are copied to a
staging folder beside the landing folder (same external location, outside the path Auto Loader
reads, so the copy is never ingested), checked by size, then copied over the original and the
staged copy removed. Auto Loader does not ingest the overwritten file again: the pipeline leaves
``cloudFiles.allowOverwrites`` at its default, false (docs/platform-notes.md).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import pyspark.sql.functions as F
from pyspark.sql import DataFrame, SparkSession

from clickstream.contract import INGESTED_AT, SOURCE_FILE
from clickstream.erasure import ClearValues, raw_match
from clickstream.landing_lines import drop_lines

REWRITTEN, UNCHANGED, MISSING, FAILED = "rewritten", "unchanged", "missing", "failed"
STAGING_FOLDER = "_erasure"


@dataclass(frozen=True)
class FileResult:
    """What the landing step did to one file (recorded in ``erasure_requests.landing_files``)."""

    file: str
    result: str
    lines: int = 0
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v != ""}


class LandingFiles(Protocol):
    """The file operations the landing step needs."""

    def exists(self, path: str) -> bool: ...

    def read(self, path: str) -> bytes: ...

    def replace(self, path: str, data: bytes) -> None: ...


class DbutilsFs(Protocol):
    """The part of ``dbutils.fs`` used here (Databricks Utilities reference)."""

    def cp(self, source: str, dest: str, recurse: bool = False) -> bool: ...

    def rm(self, dir: str, recurse: bool = False) -> bool: ...

    def ls(self, path: str) -> list[Any]: ...


def staging_folder(landing_path: str) -> str:
    """``<container root>/_erasure/``: beside the landing folder, outside what Auto Loader reads."""
    parent = landing_path.rstrip("/").rsplit("/", 1)[0]
    return f"{parent}/{STAGING_FOLDER}/"


def _not_found(error: Exception) -> bool:
    # The runtime's dbutils raises an ExecutionError quoting the JVM's FileNotFoundException.
    return isinstance(error, FileNotFoundError) or "FileNotFoundException" in str(error)


class DbutilsLandingFiles:
    """Landing files in cloud storage: Spark reads, ``dbutils.fs`` writes (module docstring)."""

    def __init__(self, spark: SparkSession, fs: DbutilsFs, staging: str) -> None:
        self.spark, self.fs, self.staging = spark, fs, staging.rstrip("/") + "/"

    def exists(self, path: str) -> bool:
        try:
            self.fs.ls(path)
        except Exception as error:
            if _not_found(error):
                return False
            raise
        return True

    def read(self, path: str) -> bytes:
        rows = self.spark.read.format("binaryFile").load(path).select("content").collect()
        if len(rows) != 1:
            raise OSError(f"{path}: binaryFile read {len(rows)} files")
        return bytes(rows[0]["content"])

    def _size(self, path: str) -> int:
        return int(self.fs.ls(path)[0].size)

    def replace(self, path: str, data: bytes) -> None:
        staged = f"{self.staging}{uuid.uuid4().hex}-{path.rsplit('/', 1)[-1]}"
        handle, local = tempfile.mkstemp(prefix="erasure-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            self.fs.cp(f"file:{local}", staged)
            if self._size(staged) != len(data):
                raise OSError(f"the staged copy of {path} is incomplete")
            self.fs.cp(staged, path)
            if self._size(path) != len(data):
                raise OSError(f"{path} was not replaced by its rewritten copy")
        finally:
            os.unlink(local)
            try:
                self.fs.rm(staged)
            except Exception as error:  # never staged, or already gone
                if not _not_found(error):
                    raise


# As Auto Loader read them: a damaged archive gives the lines before the damage.
READ_OPTIONS = {"ignoreCorruptFiles": "true"}


def _read_lines(
    spark: SparkSession, paths: list[str], options: Mapping[str, str] = READ_OPTIONS
) -> DataFrame:
    return spark.read.format("text").options(**options).load(paths)


def lines_to_drop(
    spark: SparkSession,
    files: Iterable[str],
    clear: ClearValues,
    options: Mapping[str, str] = READ_OPTIONS,
) -> dict[str, set[str]]:
    """The text of the person's lines in ``files``, per file (as ``_source_file`` names it);
    ``options`` are the text source's (the local forget passes the local file-fault options)."""
    from clickstream.bronze_events import parse_raw_lines

    paths = sorted(set(files))
    if not paths or clear.is_empty():
        return {}
    # A file scan numbers its rows the same way every time it runs (partition, position): the
    # number finds a matched row's text again, as _ingested_at carries it through the parser.
    lines = _read_lines(spark, paths).select(
        "value",
        F.col("_metadata.file_path").alias(SOURCE_FILE),
        F.monotonically_increasing_id().alias("_row"),
    )
    parsed = parse_raw_lines(
        lines.select("value", SOURCE_FILE, F.timestamp_micros("_row").alias(INGESTED_AT))
    )
    matched = parsed.where(raw_match(clear)).select(
        SOURCE_FILE, F.unix_micros(INGESTED_AT).alias("_row")
    )
    drops: dict[str, set[str]] = {}
    for row in lines.join(matched, on=[SOURCE_FILE, "_row"]).select(SOURCE_FILE, "value").collect():
        drops.setdefault(row[0], set()).add(row[1])
    return drops


def landing_lines_as_raw(spark: SparkSession, files: Iterable[str]) -> DataFrame | None:
    """The lines of ``files`` as Bronze rows (to find the person's clear values in them)."""
    from clickstream.bronze_events import parse_raw_lines

    paths = sorted(set(files))
    if not paths:
        return None
    lines = _read_lines(spark, paths)
    return parse_raw_lines(
        lines.select(
            "value",
            F.col("_metadata.file_path").alias(SOURCE_FILE),
            F.current_timestamp().alias(INGESTED_AT),
        )
    )


def rewrite_files(
    store: LandingFiles, files: Iterable[str], drops: Mapping[str, set[str]], landing_path: str
) -> list[FileResult]:
    """Rewrite each file without its lines in ``drops``; one result per file, none skipped."""
    results = []
    for path in sorted(set(files)):
        if not path.startswith(landing_path):
            results.append(FileResult(path, FAILED, reason="outside the landing path"))
            continue
        try:
            if not store.exists(path):
                results.append(FileResult(path, MISSING))
                continue
            raw = store.read(path)
            rewrite = drop_lines(path, raw, drops.get(path, set()))
            if rewrite.removed:
                store.replace(path, rewrite.data)
                results.append(FileResult(path, REWRITTEN, rewrite.removed))
            else:
                results.append(FileResult(path, UNCHANGED))
        except Exception as error:  # recorded per file, never silent; the step then fails
            results.append(FileResult(path, FAILED, reason=f"{type(error).__name__}: {error}"))
    return results
