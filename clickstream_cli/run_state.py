"""Nothing new, nothing to do: skip a run whose inputs are those of the last completed run.

A run's inputs are fingerprinted before Spark starts: every file under the landing folder (path,
size, modification time in ns), every source file of the pipeline (the transformations, the
``clickstream`` package, the spec template), the pyspark version, and the options that change
what a run writes (the landing folder, the PII key; the key enters only the digest). After a
COMPLETED run the fingerprint is kept under HOME; the next run with the same fingerprint says
"up to date since <time>: nothing new in <landing>" and exits 0 without starting a JVM. A run that
goes ahead first forgets the kept fingerprint, so a failed or interrupted run leaves none.
``--force`` and ``--full-refresh`` always run.

No pyspark here (and no import of it): the check must cost Python start-up, not Spark start-up.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

STATE_FILE = "last-completed-run.json"
# Bump when the meaning of the fingerprint changes, so older state files never match.
FINGERPRINT_VERSION = "1"
SOURCE_SUFFIXES = (".py", ".yml", ".yaml", ".sql")


def landing_entries(landing: Path) -> Iterator[str]:
    """One ``path|size|mtime_ns`` line per file under ``landing`` (all depths), sorted."""
    entries = []
    for folder, _dirs, files in os.walk(landing):
        for name in files:
            path = Path(folder, name)
            try:
                stat = path.stat()
            except OSError:  # removed while listing: it changes the fingerprint anyway
                continue
            entries.append(f"{path.relative_to(landing)}|{stat.st_size}|{stat.st_mtime_ns}")
    return iter(sorted(entries))


def source_entries(source: Path) -> Iterator[str]:
    """One ``path|sha256`` line per pipeline source file under ``source``, sorted."""
    paths = sorted(
        p
        for p in source.rglob("*")
        if p.is_file() and p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts
    )
    for path in paths:
        yield f"{path.relative_to(source)}|{hashlib.sha256(path.read_bytes()).hexdigest()}"


def _pyspark_version() -> str:
    try:
        return metadata.version("pyspark")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class Fingerprint:
    """The digest of a run's inputs and how many landing files went into it."""

    digest: str
    landing_files: int


def fingerprint(landing: Path, source: Path, options: Mapping[str, str | None]) -> Fingerprint:
    """The fingerprint of a run over ``landing`` with the pipeline sources under ``source``."""
    digest = hashlib.sha256(
        f"version|{FINGERPRINT_VERSION}\npyspark|{_pyspark_version()}\n".encode()
    )
    for key in sorted(options):
        digest.update(f"option|{key}|{options[key]}\n".encode())
    for entry in source_entries(source):
        digest.update(f"source|{entry}\n".encode())
    count = 0
    for entry in landing_entries(landing):
        digest.update(f"landing|{entry}\n".encode())
        count += 1
    return Fingerprint(digest.hexdigest(), count)


@dataclass(frozen=True)
class RunState:
    """The fingerprint of the last completed run, kept in ``HOME/last-completed-run.json``."""

    home: Path

    @property
    def path(self) -> Path:
        return self.home / STATE_FILE

    def completed_at(self, current: Fingerprint) -> str | None:
        """When the last completed run with exactly this fingerprint ended, else None."""
        try:
            kept = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(kept, dict) or kept.get("fingerprint") != current.digest:
            return None
        return kept.get("completed_at")

    def forget(self) -> None:
        """Called before a run starts: until it completes, nothing is up to date."""
        self.path.unlink(missing_ok=True)

    def record(self, current: Fingerprint, landing: Path, at: datetime | None = None) -> None:
        """Called after a COMPLETED run."""
        kept = {
            "fingerprint": current.digest,
            "completed_at": (at or datetime.now()).strftime("%Y-%m-%d %H:%M:%S"),
            "landing": str(landing),
            "landing_files": current.landing_files,
        }
        self.home.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(kept, indent=2) + "\n")
        partial.replace(self.path)


def up_to_date_message(since: str, landing: Path) -> str:
    return f"up to date since {since}: nothing new in {landing}"


def run_options(landing: Path) -> dict[str, str | None]:
    """The options that change what a run writes (the driver memory does not)."""
    return {"landing": str(landing), "pii_key": os.environ.get("CLICKSTREAM_PII_KEY")}


@dataclass(frozen=True)
class RunGate:
    """The decision taken before a run: skip (``since`` is set) or go ahead."""

    state: RunState
    current: Fingerprint
    landing: Path
    since: str | None

    @classmethod
    def check(cls, landing: Path, home: Path, source: Path, always: bool = False) -> RunGate:
        """Fingerprint the inputs now; ``always`` (``--force``, ``--full-refresh``) never skips."""
        from clickstream_cli.local_home import LocalHome

        landing, home = landing.expanduser().resolve(), home.expanduser().resolve()
        state = RunState(home)
        current = fingerprint(landing, source, run_options(landing))
        fresh = always or not landing.is_dir() or not LocalHome(home).has_run()
        return cls(state, current, landing, None if fresh else state.completed_at(current))

    @property
    def message(self) -> str:
        return up_to_date_message(self.since or "?", self.landing)

    def starting(self) -> None:
        self.state.forget()

    def completed(self) -> None:
        self.state.record(self.current, self.landing)
