"""The landing folder's files: names (about 30% gzipped), the overwrite check, atomic publishing."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from random import Random

from clickstream_cli.sample_data.vocabulary import (
    DUPLICATE_RATE,
    GZIP_SHARE,
    INVALID_RATE,
    LINES_PER_FILE,
    MALFORMED_RATE,
    MIN_FILES,
    MIN_FILES_FROM_EVENTS,
)


def file_plan(seed: int, events: int) -> tuple[list[str], int]:
    """File names (about 30% gzipped) and lines per file, from the expected line count."""
    expected = events * (1 + DUPLICATE_RATE + MALFORMED_RATE + INVALID_RATE)
    count = max(1, round(expected / LINES_PER_FILE))
    if events >= MIN_FILES_FROM_EVENTS:
        count = max(MIN_FILES, count)
    gzipped = set(Random(f"files:{seed}").sample(range(count), round(count * GZIP_SHARE)))
    names = [f"events-s{seed}-{i:04d}.json{'.gz' if i in gzipped else ''}" for i in range(count)]
    return names, -(-int(expected) // count)


def check_targets(out_dir: Path, names: list[str], manifest: Path | None) -> None:
    clashes = [
        str(out_dir / stem)
        for stem in (name.removesuffix(".gz") for name in names)
        for candidate in (stem, f"{stem}.gz")
        if (out_dir / candidate).exists()
    ]
    if clashes:
        raise FileExistsError(
            f"{len(clashes)} target file(s) exist already, e.g. {clashes[0]}: refusing to "
            "overwrite; use another --seed or another --out folder"
        )
    if manifest is not None and manifest.resolve().is_relative_to(out_dir.resolve()):
        raise ValueError(f"the manifest {manifest} must not be inside the landing folder {out_dir}")


class Landing:
    """Lines in arrival order -> numbered files, written aside and moved in when complete."""

    def __init__(self, out_dir: Path, names: list[str], per_file: int, staging: Path):
        self.out_dir, self.names, self.per_file, self.staging = out_dir, names, per_file, staging
        self.lines: list[str] = []
        self.written: list[str] = []
        self.count = 0

    def write(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= self.per_file and len(self.written) < len(self.names) - 1:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        name = self.names[len(self.written)]
        data = ("\n".join(self.lines) + "\n").encode()
        if name.endswith(".gz"):
            data = gzip.compress(data, compresslevel=1, mtime=0)
        (self.staging / name).write_bytes(data)
        self.count += len(self.lines)
        self.written.append(name)
        self.lines = []

    def publish(self) -> None:
        """Move the finished files in; the landing folder never holds a partial file."""
        for name in self.written:
            target = self.out_dir / name
            if target.exists():
                raise FileExistsError(f"{target} appeared while generating; not overwriting it")
            os.replace(self.staging / name, target)
