"""The feed: sessions -> lines ordered by ``receivedAt``, with the injected faults, all counted."""

from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from random import Random

from clickstream.contract import ORDER_COMPLETED, SEGMENT_FIELDS
from clickstream_cli.sample_data.formats import iso, uuid_like
from clickstream_cli.sample_data.landing import Landing
from clickstream_cli.sample_data.population import Device
from clickstream_cli.sample_data.sessions import Session
from clickstream_cli.sample_data.visit import Visit
from clickstream_cli.sample_data.vocabulary import (
    BAD_TIMESTAMPS,
    DUPLICATE_RATE,
    GARBAGE_LINES,
    HOUR_MS,
    INVALID_RATE,
    LATE_RATE,
    MALFORMED_RATE,
    NO_TIMESTAMP_RATE,
    UNKNOWN_FIELD_RATE,
)


@dataclass
class Tally:
    valid: int = 0
    duplicates: int = 0
    malformed: int = 0
    invalid: int = 0
    unknown_fields: int = 0
    no_timestamp: int = 0
    page_views: int = 0
    revenue: float = 0.0
    late: list[str] = field(default_factory=list)
    user_ids: set[str] = field(default_factory=set)
    anonymous_ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    ips: set[str] = field(default_factory=set)
    tracks: Counter = field(default_factory=Counter)


class Feed:
    """Turns sessions into lines ordered by ``receivedAt``, injecting and counting the faults."""

    def __init__(
        self, rng: Random, seed: int, tally: Tally, landing: Landing, late_ms: tuple[int, int]
    ):
        self.rng, self.seed, self.tally, self.landing = rng, seed, tally, landing
        self.late_ms = late_ms
        self.heap: list[tuple] = []
        self.seq = 0
        self.ids = 0
        self.id_mask = rng.getrandbits(32)
        self.dumps = json.JSONEncoder(separators=(",", ":")).encode

    def message_id(self) -> str:
        """uuid4-like, unique within the run (counter) and across seeds (seed prefix)."""
        self.ids += 1
        counter = (self.ids * 0x9E3779B1 + self.id_mask) & 0xFFFFFFFF  # a bijection: no repeats
        return f"s{self.seed}-{uuid_like(self.rng.getrandbits(96) << 32 | counter)}"

    def push(self, received: int, line: str | None, then) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (received, self.seq, line, then))

    def run(self, sessions: list[Session], catalogue: list[dict]) -> None:
        for session in sessions:
            self.push(session.start_ms, None, session)
        while self.heap:
            _, _, line, then = heapq.heappop(self.heap)
            if line is not None:
                self.landing.write(line)
            if isinstance(then, Session):
                visit = Visit(self.rng, then, catalogue, self.tally.emails)
                then = (islice(visit.events(), then.budget), then.device)
            if then is not None:
                self.advance(*then)

    def advance(self, events: Iterator[tuple[int, dict]], device: Device) -> None:
        """Emit the session's next on-time event; late ones are queued at their arrival."""
        for t, event in events:
            late = self.rng.random() < LATE_RATE
            received, event = self.stamp(t, event, device, late)
            line = self.dumps(event)
            self.count_valid(event, late)
            self.inject_faults(received, event, line)
            if late:
                self.push(received, line, None)
                continue
            self.push(received, line, (events, device))
            return

    def stamp(self, t: int, event: dict, device: Device, late: bool) -> tuple[int, dict]:
        rng = self.rng
        uniform = rng.random  # randint is several times slower, and this runs per event
        if late:
            earliest, latest = self.late_ms
            received = t + earliest + int(uniform() * (latest - earliest))
            sent = received - 50 - int(uniform() * 850)
        else:  # under MIN_STEP_MS after the event, so a session's events arrive in order
            sent = t + 200 + int(uniform() * 2_800)
            received = sent + 20 + int(uniform() * 780)
        local = iso(t, device.offset_min, device.suffix)
        stamped = {
            "messageId": self.message_id(),
            **event,
            "timestamp": local,
            "originalTimestamp": local,
            "sentAt": iso(sent, device.offset_min, device.suffix),
            "receivedAt": iso(received),
        }
        if rng.random() < UNKNOWN_FIELD_RATE:
            stamped.update(self.unknown_fields())
        if not late and rng.random() < NO_TIMESTAMP_RATE:
            del stamped["timestamp"]
            if rng.random() < 0.3:  # only receivedAt left
                del stamped["originalTimestamp"], stamped["sentAt"]
        return received, stamped

    def unknown_fields(self) -> dict:
        rng = self.rng
        options = [
            ("integrations", {"All": True, "Mixpanel": False}),
            ("version", rng.choice((2, "1.1"))),
            ("_metadata", {"bundled": ["Segment.io"], "unbundled": ["Amplitude"]}),
            ("writeKey", f"{rng.getrandbits(128):032x}"),
            (f"x_{rng.getrandbits(24):06x}", rng.randint(0, 999)),
            ("channel", rng.choice(("web", "mobile", "server"))),
        ]
        return dict(rng.sample(options, rng.randint(1, 2)))

    def count_valid(self, event: dict, late: bool) -> None:
        tally = self.tally
        tally.valid += 1
        if "userId" in event:
            tally.user_ids.add(event["userId"])
        tally.anonymous_ids.add(event["anonymousId"])
        tally.ips.add(event["context"]["ip"])
        kind = event["type"]
        if kind == "page":
            tally.page_views += 1
        elif kind == "track":
            name = event["event"]
            tally.tracks[name] += 1
            if name == ORDER_COMPLETED:
                tally.revenue += float(event["properties"]["revenue"])
        if late:
            tally.late.append(event["messageId"])
        if "timestamp" not in event:
            tally.no_timestamp += 1
        if not set(SEGMENT_FIELDS).issuperset(event):
            tally.unknown_fields += 1

    def inject_faults(self, received: int, event: dict, line: str) -> None:
        rng = self.rng
        if rng.random() < DUPLICATE_RATE:
            # Re-delivery: seconds later (same file, mostly) or hours later (a later file).
            soon = rng.random() < 0.5
            delay = rng.randint(1_000, 60_000) if soon else rng.randint(1, 6 * HOUR_MS)
            self.push(received + delay, line, None)
            self.tally.duplicates += 1
        if rng.random() < MALFORMED_RATE:
            self.push(received + rng.randint(1, 5_000), self.malformed(line), None)
            self.tally.malformed += 1
        if rng.random() < INVALID_RATE:
            self.push(received + rng.randint(1, 5_000), self.dumps(self.invalid(event)), None)
            self.tally.invalid += 1

    def malformed(self, line: str) -> str:
        """A line no JSON parser accepts (a proper prefix of an object never parses)."""
        rng, kind = self.rng, self.rng.randrange(3)
        if kind == 0:
            return line[: rng.randint(len(line) // 4, len(line) - 2)]
        if kind == 1:
            return rng.choice(GARBAGE_LINES)
        # Python's repr, not JSON. Spark's reader accepts single quotes, so it carries no
        # timestamp: even parsed, it fails Silver's has_event_time rule.
        message_id = self.message_id()
        return f"{{'messageId': '{message_id}', 'type': 'track', 'event': 'Order Completed'}}"

    def invalid(self, event: dict) -> dict:
        """Well-formed JSON that Silver must quarantine: no messageId, or no usable event time."""
        broken = {**event, "messageId": self.message_id()}
        rng = self.rng
        if rng.random() < 0.5:
            if rng.random() < 0.7:
                del broken["messageId"]
            else:
                broken["messageId"] = rng.choice(("", "  "))
            return broken
        for key in ("timestamp", "originalTimestamp", "sentAt", "receivedAt"):
            value = rng.choice(BAD_TIMESTAMPS + ("drop",))
            if value == "drop":
                broken.pop(key, None)
            else:
                broken[key] = value
        return broken
