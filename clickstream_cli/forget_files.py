"""Rewriting files in place for an erasure: landing files, table data files, side files.

Every rewrite writes a hidden temporary file beside the original and ``os.replace``-s it, so a
reader sees the old file or the new one, never half of one; the modification time (and mode) of
the original is kept, which is what keeps the streaming sources from reading a rewritten file
again: Spark's file source remembers files by path, and forgets old paths only for files older
than what it has seen (``FileStreamSource.SeenFilesMap``).

- Landing files: the lines to drop are named by their text (as Spark's text source reads them);
  every other byte, line breaks included, stays. ``.gz`` stays gzip, ``.bz2`` stays bzip2.
- Table data files: Spark writes the replacement; here it takes the original's place, gets a
  Hadoop checksum file (the local file system verifies ``.name.crc`` on every read), and the
  streaming sink's log (``_spark_metadata``), which records each file's size, is updated.
- Side files (logs, reports, state): each occurrence of an identifier becomes ``[erased]``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from clickstream.landing_lines import drop_lines

_BYTES_PER_CHECKSUM = 512
SINK_LOG = "_spark_metadata"
ERASED = b"[erased]"


def replace_keeping_times(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` atomically, keeping its mode and modification time."""
    stat = path.stat()
    temporary = path.with_name(f".{path.name}.forget-tmp")
    try:
        temporary.write_bytes(content)
        shutil.copymode(path, temporary)
        os.utime(temporary, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def rewrite_landing_file(path: Path, drop: set[str]) -> int:
    """Remove the lines whose text is in ``drop`` (:func:`clickstream.landing_lines.drop_lines`);
    return how many went."""
    rewrite = drop_lines(str(path), path.read_bytes(), drop)
    if rewrite.removed:
        replace_keeping_times(path, rewrite.data)
    return rewrite.removed


def hadoop_checksum(data: bytes) -> bytes:
    """The ``.crc`` file Hadoop's ChecksumFileSystem keeps beside a file (CRC-32 per 512 bytes)."""
    sums = b"".join(
        struct.pack(">I", zlib.crc32(data[i : i + _BYTES_PER_CHECKSUM]))
        for i in range(0, len(data), _BYTES_PER_CHECKSUM)
    )
    return b"crc\x00" + struct.pack(">i", _BYTES_PER_CHECKSUM) + sums


def checksum_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.crc")


def write_checksum(path: Path) -> None:
    target = checksum_path(path)
    temporary = target.with_name(target.name + ".forget-tmp")
    temporary.write_bytes(hadoop_checksum(path.read_bytes()))
    os.replace(temporary, target)


def _log_files(table_dir: Path) -> list[Path]:
    log = table_dir / SINK_LOG
    if not log.is_dir():
        return []
    return sorted(p for p in log.iterdir() if p.is_file() and not p.name.startswith("."))


def settle_sink_log(table_dir: Path) -> int:
    """Make the sink log's recorded sizes those of the files on disk; return entries fixed."""
    fixed = 0
    for log_file in _log_files(table_dir):
        lines = log_file.read_text().split("\n")
        changed = False
        for index, line in enumerate(lines[1:], start=1):
            if not line.strip():
                continue
            entry = json.loads(line)
            local = Path(entry["path"].removeprefix("file://"))
            if local.is_file() and local.stat().st_size != entry["size"]:
                entry["size"] = local.stat().st_size
                lines[index] = json.dumps(entry, separators=(",", ":"))
                changed = True
                fixed += 1
        if changed:
            replace_keeping_times(log_file, "\n".join(lines).encode())
            write_checksum(log_file)
    return fixed


def replace_table_file(target: Path, replacement: Path) -> None:
    """Put ``replacement`` (a data file Spark wrote) in ``target``'s place, keeping its time."""
    stat = target.stat()
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    shutil.copymode(target, replacement)
    os.replace(replacement, target)
    write_checksum(target)
    settle_sink_log(target.parent)


def settle_table(folder: Path) -> None:
    """After a rewrite killed half-way: checksums that match their data files, a sink log that
    records their sizes."""
    for data_file in folder.glob("*.parquet"):
        checksum = checksum_path(data_file)
        if checksum.exists() and checksum.read_bytes() != hadoop_checksum(data_file.read_bytes()):
            write_checksum(data_file)
    settle_sink_log(folder)


def _skipped(path: Path, home: Path) -> bool:
    relative = path.relative_to(home).parts
    return (
        path.name.endswith(".crc")
        or path.suffix == ".parquet"
        or relative[0] == "metastore_db"
        # Checkpoints: offsets and file lists hold no row content; the dedupe state (event ids,
        # compressed) is documented in docs/privacy.md.
        or relative[0] == "storage"
        # The erasure journal and key (clickstream_cli.erasure_log) are the erasure's own.
        or relative[:2] == ("state", "erasure")
    )


def side_files(home: Path) -> Iterator[Path]:
    """Files under HOME outside the tables, the metastore and the checkpoints."""
    for folder, _dirs, names in os.walk(home):
        for name in names:
            path = Path(folder) / name
            if not _skipped(path, home):
                yield path


def _pattern(needles: Iterable[str]) -> re.Pattern[bytes] | None:
    words = sorted({n for n in needles if n}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(b"|".join(re.escape(w.encode()) for w in words), re.IGNORECASE)


def files_holding(home: Path, needles: Iterable[str]) -> list[Path]:
    pattern = _pattern(needles)
    if pattern is None:
        return []
    return [p for p in side_files(home) if pattern.search(p.read_bytes())]


def scrub_side_files(home: Path, needles: Iterable[str]) -> list[Path]:
    """Replace every occurrence of a needle in the side files; return the files changed."""
    pattern = _pattern(needles)
    if pattern is None:
        return []
    changed = []
    for path in side_files(home):
        data = path.read_bytes()
        scrubbed = pattern.sub(ERASED, data)
        if scrubbed != data:
            replace_keeping_times(path, scrubbed)
            if checksum_path(path).exists():
                write_checksum(path)
            changed.append(path)
    return changed
