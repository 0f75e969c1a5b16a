"""The erasure log (raw zone) and the journal of erasures under way.

- **Log** (``HOME/warehouse/erasure_log.jsonl``, the local raw zone): one JSON line per completed
  request: request id, when it was asked and completed, the identifiers as HMAC-SHA-256 under the
  **erasure key** (never the pipeline's PII key, so the log cannot be joined back to any table),
  how many linked identifiers were found, and the rows removed per table. A line is written only
  after the erasure was verified.
- **Journal** (``HOME/state/erasure/pending/<request id>.json``): written before anything is
  changed, holding the pipeline hashes the erasure works from (never a clear identifier), and the
  progress; removed once the log line is written. A ``forget`` that was killed leaves its
  journal entry, and the next ``forget`` completes it first.
- **Erasure key**: ``CLICKSTREAM_ERASURE_KEY``, else a random key created once in
  ``HOME/state/erasure/key`` (readable by its owner only). With it, and only with it, an operator
  can answer "was this email erased, and when?" from the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from clickstream_cli.local_home import LocalHome

ERASURE_KEY_ENV = "CLICKSTREAM_ERASURE_KEY"
_WHITESPACE = " \t\n\r\f\u000b"
MIN_KEY_BYTES = 32


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _normalise(kind: str, value: str) -> str:
    value = value.strip(_WHITESPACE)
    return value.lower() if kind == "emails" else value


@dataclass(frozen=True)
class Request:
    """One person to forget, as given: clear identifiers. Lives in memory only."""

    user_ids: tuple[str, ...] = ()
    anonymous_ids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()

    def identifiers(self) -> dict[str, tuple[str, ...]]:
        return {
            "user_ids": self.user_ids,
            "anonymous_ids": self.anonymous_ids,
            "emails": self.emails,
        }

    def needles(self) -> set[str]:
        return {_normalise(kind, v) for kind, vs in self.identifiers().items() for v in vs}


@dataclass
class JournalEntry:
    """An erasure under way: what it works from and how far it got."""

    request_id: str
    requested_at: str
    # Identifiers under the erasure key: what the log will say.
    logged: dict[str, list[str]]
    # The given identifiers' pipeline hashes (clickstream.erasure.Subject.as_dict), then, once
    # computed, everything the pipeline links to them.
    given: dict[str, list[str]]
    expanded: dict[str, list[str]] | None = None
    # Message ids of the person's raw rows, kept so that a resumed erasure still removes their
    # Silver copies after the raw rows are gone (random ids, not identifiers).
    event_ids: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)


class ErasureRecord:
    """The erasure key, journal and log of one HOME."""

    def __init__(self, home: LocalHome) -> None:
        self.home = home
        self.folder = home.root / "state" / "erasure"
        self.pending = self.folder / "pending"
        self.log_path = home.warehouse / "erasure_log.jsonl"

    # -- key
    def key(self) -> bytes:
        configured = os.environ.get(ERASURE_KEY_ENV)
        if configured:
            if len(configured.encode()) < MIN_KEY_BYTES:
                raise ValueError(f"{ERASURE_KEY_ENV} is shorter than {MIN_KEY_BYTES} bytes")
            return configured.encode()
        path = self.folder / "key"
        if not path.is_file():
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
        return path.read_text().strip().encode()

    def logged_hashes(self, request: Request) -> dict[str, list[str]]:
        key = self.key()
        return {
            kind: sorted(
                {
                    hmac.new(key, _normalise(kind, v).encode(), hashlib.sha256).hexdigest()
                    for v in values
                }
            )
            for kind, values in request.identifiers().items()
        }

    # -- journal
    def open_entries(self) -> list[JournalEntry]:
        if not self.pending.is_dir():
            return []
        entries = [JournalEntry(**json.loads(p.read_text())) for p in self.pending.glob("*.json")]
        return sorted(entries, key=lambda e: (e.requested_at, e.request_id))

    def begin(self, request: Request, given: dict[str, list[str]]) -> JournalEntry:
        entry = JournalEntry(
            request_id=uuid.uuid4().hex[:12],
            requested_at=now(),
            logged=self.logged_hashes(request),
            given=given,
        )
        self.save(entry)
        return entry

    def save(self, entry: JournalEntry) -> None:
        self.pending.mkdir(parents=True, exist_ok=True)
        path = self.pending / f"{entry.request_id}.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(entry), indent=1))
        os.replace(temporary, path)

    # -- log
    def complete(self, entry: JournalEntry, linked: dict[str, int]) -> dict[str, Any]:
        """Append the verified erasure to the log, then close its journal entry."""
        line = {
            "request_id": entry.request_id,
            "requested_at": entry.requested_at,
            "completed_at": now(),
            "status": "done" if any(entry.removed.values()) else "nothing found",
            "identifiers": entry.logged,
            "linked": linked,
            "removed": entry.removed,
        }
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "a") as log:
            log.write(json.dumps(line) + "\n")
            log.flush()
            os.fsync(log.fileno())
        (self.pending / f"{entry.request_id}.json").unlink(missing_ok=True)
        return line

    def entries(self) -> list[dict[str, Any]]:
        if not self.log_path.is_file():
            return []
        return [json.loads(x) for x in self.log_path.read_text().splitlines() if x.strip()]


def render_erasure_log(home: LocalHome, console) -> None:
    """The erasure log, one line per request (hashed identifiers are not shown)."""
    record = ErasureRecord(home)
    entries, pending = record.entries(), record.open_entries()
    if not entries and not pending:
        console.print("Erasure requests: none")
        return
    console.print(f"[bold]Erasure requests[/] ({len(entries)} completed, {len(pending)} pending)")
    for line in entries:
        removed = sum(line["removed"].values())
        console.print(
            f"  {line['request_id']}  asked {line['requested_at']}  completed "
            f"{line['completed_at']}  {line['status']}  {removed:,} rows/lines removed",
            highlight=False,
        )
    for entry in pending:
        console.print(
            f"  {entry.request_id}  asked {entry.requested_at}  [yellow]pending[/]: "
            "run `clickstream-local forget` to complete it",
            highlight=False,
        )
