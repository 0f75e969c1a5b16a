"""Dropping a person's lines from one landing file: bytes in, bytes out, no I/O.

Shared by the local ``clickstream-local forget`` (clickstream_cli.forget_files) and the
Databricks erasure job (:mod:`clickstream.landing_erasure`). The lines to drop are named by their
text as Spark's text source reads them (Auto Loader ``text`` on Databricks, the file stream
locally): split at ``\\n``, ``\\r`` or ``\\r\\n``, decoded as UTF-8 with replacement characters.
Every other byte, line breaks included, stays; ``.gz`` stays gzip (its header's modification time
kept), ``.bz2`` stays bzip2.
"""

from __future__ import annotations

import bz2
import gzip
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

# Hadoop's LineRecordReader (no custom delimiter) ends a line at \n, \r or \r\n.
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
# Compressions Hadoop picks by extension that cannot be rewritten here (no Python codec).
UNSUPPORTED = (".deflate", ".zst", ".lz4", ".snappy", ".br")


class FileRewriteError(Exception):
    """A file could not be rewritten; it is left exactly as it was."""


@dataclass(frozen=True)
class Rewrite:
    """The new content of a file and how many lines left it (0: keep the file as it is)."""

    data: bytes
    removed: int


def split_lines(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """``(content, line break)`` pairs whose concatenation is ``data``."""
    start = 0
    for match in _LINE_BREAK.finditer(data):
        yield data[start : match.start()], match.group()
        start = match.end()
    if start < len(data):
        yield data[start:], b""


def _suffix(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _gunzip(data: bytes) -> tuple[bytes, bool]:
    """The decompressed bytes (all members) and whether the stream was whole."""
    out, rest = [], data
    while rest:
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out.append(decompressor.decompress(rest))
        except zlib.error:
            return b"".join(out), False
        if not decompressor.eof:
            return b"".join(out), False
        rest = decompressor.unused_data.lstrip(b"\x00")
    return b"".join(out), True


def decode(name: str, raw: bytes) -> tuple[bytes, bool]:
    """The file's text bytes and whether they were read to a proper end."""
    suffix = _suffix(name)
    if suffix in UNSUPPORTED:
        raise FileRewriteError(f"{name}: {suffix} files cannot be rewritten by this tool")
    if suffix == ".gz":
        return _gunzip(raw) if raw else (b"", False)
    if suffix == ".bz2":
        try:
            return bz2.decompress(raw), True
        except (OSError, ValueError, EOFError):
            return bz2.BZ2Decompressor().decompress(raw), False
    return raw, True


def encode(name: str, original: bytes, data: bytes) -> bytes:
    """``data`` compressed as the file ``name`` (whose bytes were ``original``) was."""
    suffix = _suffix(name)
    if suffix == ".gz":
        header = original[4:8]
        mtime = struct.unpack("<I", header)[0] if len(header) == 4 else 0
        return gzip.compress(data, mtime=mtime)
    if suffix == ".bz2":
        return bz2.compress(data)
    return data


def drop_lines(name: str, raw: bytes, drop: set[str]) -> Rewrite:
    """``raw`` (the bytes of the file ``name``) without the lines whose text is in ``drop``.

    A damaged archive (cut off, corrupt) becomes its readable whole lines minus the dropped ones:
    its unreadable rest cannot be checked for the person's data, and Spark never read it.
    """
    data, whole = decode(name, raw)
    kept, removed = [], 0
    for content, line_break in split_lines(data):
        if not whole and not line_break:
            continue  # the cut-off tail of a damaged archive
        if content.decode("utf-8", errors="replace") in drop:
            removed += 1
        else:
            kept.append(content + line_break)
    if not removed:
        return Rewrite(raw, 0)
    return Rewrite(encode(name, raw, b"".join(kept)), removed)
