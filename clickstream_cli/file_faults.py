"""Landing files the pipeline cannot read (cut-off or corrupt archives, empty ``.gz``
placeholders, files the process may not open): found, recorded in the raw zone, never fatal.

Spark reads past such files (``ignoreCorruptFiles`` / ``ignoreMissingFiles`` on the Bronze read)
and keeps the lines that decode before the fault; it only logs a warning, and an empty ``.gz``
it reads as no lines at all. So before each run the CLI checks every landing file it has not
checked before (remembered by path, size and modification time, so a 1M-event landing is
decompressed once, not on every run) and appends each unreadable one to a JSON-lines record
under the warehouse (the local raw zone). Files Spark reports as skipped during the run are
added to the same record. ``clickstream-local show`` lists the record.
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from clickstream_cli.local_home import LocalHome

# The decompressors Hadoop picks by file extension that Python can check, too. A file with
# another extension is read as plain text by Spark: any bytes are lines (bad lines are
# quarantined), so only whether it can be opened at all is checked.
_DECOMPRESSORS = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw),
    ".bz2": lambda raw: bz2.BZ2File(raw),
}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileFault:
    """One unreadable landing file: which, when found, and why (error class and message)."""

    path: str
    size: int
    modified_ns: int
    found_at: str
    error_class: str
    message: str


def _open_binary(path: Path):
    return open(path, "rb")


def check_file(path: Path) -> tuple[str, str] | None:
    """None when the file reads to its end; else (error class, message)."""
    decompress = _DECOMPRESSORS.get(path.suffix.lower())
    try:
        with _open_binary(path) as raw:
            if decompress is None:
                raw.read(1)
                return None
            if path.stat().st_size == 0:
                return "EOFError", "empty file: no compressed stream (0 bytes)"
            with decompress(raw) as stream:
                while stream.read(_CHUNK):
                    pass
    except (OSError, EOFError, zlib.error) as error:
        return type(error).__name__, str(error) or repr(error)
    return None


def _is_hidden(name: str) -> bool:
    # Spark's file listing skips these names (hidden files, in-progress copies).
    return name.startswith((".", "_")) or name.endswith("._COPYING_")


def landing_files(landing: Path) -> Iterator[Path]:
    """Every file Spark's file stream would read under ``landing`` (recursively)."""
    for folder, subfolders, files in os.walk(landing):
        subfolders[:] = sorted(d for d in subfolders if not _is_hidden(d))
        for name in sorted(files):
            if not _is_hidden(name):
                yield Path(folder) / name


class FaultRecord:
    """The raw-zone record of unreadable files, and the memory of which files were checked."""

    def __init__(self, home: LocalHome) -> None:
        self.path = home.warehouse / "unreadable_landing_files.jsonl"
        self._checked_path = home.root / "state" / "checked_landing_files.json"

    def faults(self) -> list[FileFault]:
        if not self.path.is_file():
            return []
        lines = self.path.read_text().splitlines()
        return [FileFault(**json.loads(line)) for line in lines if line.strip()]

    def add(self, faults: Iterable[FileFault]) -> list[FileFault]:
        """Append the faults not recorded yet (same path, size and mtime); return those."""
        known = {(f.path, f.size, f.modified_ns) for f in self.faults()}
        new = [f for f in faults if (f.path, f.size, f.modified_ns) not in known]
        if new:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a") as record:
                for fault in new:
                    record.write(json.dumps(asdict(fault)) + "\n")
        return new

    def checked(self) -> dict[str, list[int]]:
        if not self._checked_path.is_file():
            return {}
        return json.loads(self._checked_path.read_text())

    def save_checked(self, checked: dict[str, list[int]]) -> None:
        self._checked_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._checked_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(checked))
        temporary.replace(self._checked_path)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def inspect_landing(landing: Path, home: LocalHome) -> list[FileFault]:
    """Check the landing files not checked before; record and return the new faults."""
    record = FaultRecord(home)
    checked = record.checked()
    found = []
    for path in landing_files(landing):
        try:
            stat = path.stat()
        except OSError:
            continue  # gone since the listing
        key, signature = str(path), [stat.st_size, stat.st_mtime_ns]
        if checked.get(key) == signature:
            continue
        if problem := check_file(path):
            found.append(FileFault(key, stat.st_size, stat.st_mtime_ns, _now(), *problem))
        checked[key] = signature
    record.save_checked(checked)
    return record.add(found)


def record_skipped_by_spark(skipped: dict[str, str], home: LocalHome) -> list[FileFault]:
    """Record the files Spark reported as skipped that the check did not catch."""
    record = FaultRecord(home)
    known = {f.path for f in record.faults()}
    found = []
    for uri, error in skipped.items():
        path = _local_path(uri)
        if path in known:
            continue
        error_class, _, message = error.partition(": ")
        try:
            stat = os.stat(path)
            size, modified = stat.st_size, stat.st_mtime_ns
        except OSError:
            size, modified = -1, -1
        found.append(FileFault(path, size, modified, _now(), error_class, message or error))
    return record.add(found)


def _local_path(uri: str) -> str:
    """``file:///a/b%20c`` (as Spark logs it) -> ``/a/b c``."""
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


def warning_line(fault: FileFault) -> str:
    return (
        f"unreadable file set aside: {fault.path} ({fault.error_class}: {fault.message}); "
        "its readable lines, if any, are in Bronze"
    )
