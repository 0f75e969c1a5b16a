"""Sample clickstream for the landing folder: Segment-spec events with the faults of a real feed.

``generate`` writes JSON-lines files (about 30% gzipped), ordered by ``receivedAt``, and returns a
``Manifest`` that states exactly what was written, so tests and end-to-end runs can check every
layer's counts (``lines == valid_events + duplicates + malformed + invalid``).

The users come from a fixed population seed, not from the event seed: a second run with another
seed into the same folder continues the same people (ids, emails, devices, IPs, plan and country
history). The event seed drives everything else, through one ``random.Random``: sessions, pages,
the e-commerce funnel and the injected faults (re-delivered duplicates, malformed lines, unknown
fields, late events, events that must be quarantined, events with no ``timestamp``).

    python -m clickstream_cli.generate --out landing/clickstream --events 50000 --seed 7
"""

from __future__ import annotations

import argparse
import gzip
import heapq
import json
import os
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from random import Random

from clickstream.contract import (
    CHECKOUT_STARTED,
    FUNNEL_COLUMNS,
    ORDER_COMPLETED,
    PRODUCT_ADDED,
    PRODUCT_VIEWED,
    SEGMENT_FIELDS,
)

POPULATION_SEED = 20250303
POPULATION_EPOCH = datetime(2025, 3, 3, tzinfo=UTC)
EVENTS_PER_USER = 40
MIN_USERS = 20

LINES_PER_FILE = 5_000
MIN_FILES, MIN_FILES_FROM_EVENTS = 4, 10_000
GZIP_SHARE = 0.3

# Fault rates, per distinct valid event; every fault comes in addition to the valid events.
DUPLICATE_RATE = 0.02
MALFORMED_RATE = 0.005
UNKNOWN_FIELD_RATE = 0.03
LATE_RATE = 0.02
INVALID_RATE = 0.003
NO_TIMESTAMP_RATE = 0.01

SECOND_MS, MINUTE_MS, HOUR_MS = 1_000, 60_000, 3_600_000
DAY_MS = 24 * HOUR_MS
SESSION_GAP_MS = 30 * MINUTE_MS
MIN_STEP_MS, MAX_STEP_MS = 5 * SECOND_MS, 10 * MINUTE_MS
MAX_SESSION_EVENTS = 60

SITE = "https://shop.example.com"
FIRST_NAMES = ("alice", "bob", "chen", "dana", "emil", "fatima", "gita", "hugo", "ines", "jonas",
               "kofi", "lena", "mateo", "nora", "omar", "priya", "quinn", "rosa", "sven", "yuki")
LAST_NAMES = ("smith", "muller", "garcia", "kumar", "tanaka", "okafor", "rossi", "dubois",
              "novak", "silva", "jensen", "kowalski", "nguyen", "cohen", "larsen", "moreau")
EMAIL_DOMAINS = ("example.com", "example.org", "mail.example.net", "corp.example.co.uk")
COUNTRIES = {"US": "en-US", "DE": "de-DE", "FR": "fr-FR", "GB": "en-GB", "IN": "en-IN",
             "BR": "pt-BR", "JP": "ja-JP", "ES": "es-ES", "NL": "nl-NL", "CA": "en-CA"}
PLANS, PLAN_WEIGHTS = ("free", "pro", "enterprise"), (70, 25, 5)
PLAN_CHANGE = {"free": "pro", "pro": "enterprise", "enterprise": "pro"}
COMPANY_WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay")
INDUSTRIES = ("Retail", "Software", "Finance", "Logistics", "Media")
# (offset minutes, suffix): how a device writes its local time.
OFFSETS = ((0, "Z"), (120, "+02:00"), (-300, "-05:00"), (330, "+0530"))
OFFSET_WEIGHTS = (85, 6, 5, 4)
DEVICE_KINDS = ("desktop", "mobile_web", "ios", "android")
DEVICE_WEIGHTS = (50, 25, 15, 10)
USER_AGENTS = {
    "desktop": ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/124.0.0.0 Safari/537.36",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like "
                "Gecko) Version/17.4 Safari/605.1.15",
                "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"),
    "mobile_web": ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
                   "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
                   "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
                   "Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"),
    "ios": ("ExampleShop/3.4.1 (iPhone; iOS 17.4; Scale/3.00)",),
    "android": ("ExampleShop/3.4.0 (Linux; U; Android 14; SM-S918B Build/UP1A)",),
}
LIBRARIES = {  # (Segment, RudderStack) per device kind
    "desktop": (("analytics.js", "next-1.70.0"), ("rudder-analytics-javascript", "3.7.2")),
    "mobile_web": (("analytics.js", "next-1.70.0"), ("rudder-analytics-javascript", "3.7.2")),
    "ios": (("analytics-ios", "4.1.8"), ("rudder-analytics-ios", "1.26.0")),
    "android": (("analytics-android", "4.11.3"), ("rudder-analytics-android", "1.21.1")),
}
APP_HARDWARE = {
    "ios": ({"manufacturer": "Apple", "model": "iPhone15,2", "type": "ios"},
            {"name": "iOS", "version": "17.4"}),
    "android": ({"manufacturer": "samsung", "model": "SM-S918B", "type": "android"},
                {"name": "Android", "version": "14"}),
}
PRODUCT_WORDS = (("Trail", "Urban", "Classic", "Aero", "Cozy", "Solar", "Nordic", "Retro"),
                 ("Runner", "Backpack", "Jacket", "Mug", "Lamp", "Headphones", "Watch", "Tee"))
CATEGORIES = ("Footwear", "Bags", "Apparel", "Kitchen", "Home", "Audio", "Accessories")
BLOG_SLUGS = ("spring-sale", "how-we-source", "care-guide", "gift-ideas", "behind-the-design",
              "sustainability-report", "packing-list", "new-arrivals")
SEARCH_TERMS = ("running shoes", "rain jacket", "gift", "lamp", "headphones", "backpack")
EXTERNAL_REFERRERS = ("", "", "https://www.google.com/", "https://www.bing.com/",
                      "https://news.ycombinator.com/", "https://www.instagram.com/",
                      "https://mail.example.net/")
CAMPAIGNS = (("google", "cpc", "brand_search"), ("facebook", "paid_social", "spring_sale"),
             ("newsletter", "email", "weekly_digest"))
NEXT_PAGES = ("product", "home", "blog", "search", "pricing", "cart")
NEXT_PAGE_WEIGHTS = (45, 10, 12, 10, 5, 4)
GARBAGE_LINES = ("HTTP/1.1 502 Bad Gateway", "<html><body><h1>503 Service Unavailable</h1></body>",
                 "\ufffd\ufffd\u0008 corrupted gzip member", "undefined", "messageId=",
                 "%7B%22messageId%22%3A")
BAD_TIMESTAMPS = ("n/a", "not-a-date", "undefined", "", "NaN-NaN-NaNTNaN:NaN:NaN.NaNZ", None)


@dataclass
class Manifest:
    """What one ``generate`` call wrote: the expected counts of every pipeline layer."""

    seed: int
    population_seed: int
    start: str
    end: str
    files: list[str]
    lines: int
    valid_events: int
    duplicates: int
    malformed: int
    invalid: int
    unknown_field_events: int
    no_timestamp_events: int
    late_message_ids: list[str]
    user_ids: list[str]
    anonymous_ids: list[str]
    emails: list[str]
    ips: list[str]
    order_revenue_total: float
    funnel: dict[str, int]
    page_views: int

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


# --- time -----------------------------------------------------------------------------------

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MINUTES: dict[tuple[int, int], str] = {}


def iso(ms: int, offset_min: int = 0, suffix: str = "Z") -> str:
    """Epoch milliseconds as ISO-8601 local time with an offset suffix (datetime is too slow)."""
    minute, rest = divmod(ms, MINUTE_MS)
    prefix = _MINUTES.get((minute, offset_min))
    if prefix is None:
        day, minute_of_day = divmod(minute + offset_min, 24 * 60)
        day_text = date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
        prefix = f"{day_text}T{minute_of_day // 60:02d}:{minute_of_day % 60:02d}:"
        _MINUTES[(minute, offset_min)] = prefix
    seconds = f"{rest:05d}"  # "SSmmm"
    return f"{prefix}{seconds[:2]}.{seconds[2:]}{suffix}"


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _uuid(bits: int) -> str:
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[bits & 3]}{h[17:20]}-{h[20:32]}"


# --- the population -------------------------------------------------------------------------


@dataclass(slots=True)
class Device:
    anonymous_id: str
    app: bool
    rudder: bool
    context: dict  # what the SDK sends on every event: userAgent, locale, library, device, os
    offset_min: int
    suffix: str


@dataclass(slots=True)
class User:
    user_id: str
    name: str
    email: str
    email_spellings: tuple[str, ...]
    ip: str
    devices: list[Device]
    plans: list[tuple[int, str]]  # (valid from, epoch ms), ascending
    countries: list[tuple[int, str]]
    kind: str  # "known" (identified before), "converts" (identifies in this run), "anonymous"
    weight: float
    company: str | None

    def plan_at(self, ms: int) -> str:
        return _value_at(self.plans, ms)

    def country_at(self, ms: int) -> str:
        return _value_at(self.countries, ms)


def _value_at(history: list[tuple[int, str]], ms: int) -> str:
    value = history[0][1]
    for since, candidate in history[1:]:
        if ms >= since:
            value = candidate
    return value


def _make_device(rng: Random, country: str) -> Device:
    kind = rng.choices(DEVICE_KINDS, DEVICE_WEIGHTS)[0]
    rudder = rng.random() < 0.35
    library_name, version = LIBRARIES[kind][rudder]
    context = {"userAgent": rng.choice(USER_AGENTS[kind]), "locale": COUNTRIES[country],
               "library": {"name": library_name, "version": version}}
    if kind in APP_HARDWARE:
        context["device"], context["os"] = APP_HARDWARE[kind]
        context["app"] = {"name": "Example Shop", "version": "3.4.1", "build": "341"}
    offset_min, suffix = rng.choices(OFFSETS, OFFSET_WEIGHTS)[0]
    return Device(_uuid(rng.getrandbits(128)), kind in APP_HARDWARE, rudder, context,
                  offset_min, suffix)


def _history(rng: Random, first: str, changed: str, share: float) -> list[tuple[int, str]]:
    """A value that, for ``share`` of the users, changes once within two weeks of the epoch."""
    history = [(0, first)]
    if rng.random() < share:
        history.append((_epoch_ms(POPULATION_EPOCH) + rng.randrange(14 * DAY_MS), changed))
    return history


def make_user(index: int) -> User:
    """User ``index`` of the fixed population: the same for every run and every event seed."""
    rng = Random(f"{POPULATION_SEED}:{index}")
    first, last, domain = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(EMAIL_DOMAINS)
    email = f"{first}.{last}{index}@{domain}"
    shouted = f" {first.title()}.{last.title()}{index}@{domain.title()} "
    octet = rng.randint(11, 223)
    ip = f"{octet + (octet == 127)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randint(1, 254)}"
    country = rng.choice(tuple(COUNTRIES))
    moved_to = rng.choice([c for c in COUNTRIES if c != country])
    plan = rng.choices(PLANS, PLAN_WEIGHTS)[0]
    devices = [_make_device(rng, country)]
    extra_devices = (rng.random() < 0.35) + (rng.random() < 0.1)
    devices += [_make_device(rng, country) for _ in range(extra_devices)]
    company = f"{rng.choice(COMPANY_WORDS)} {rng.choice(('Inc', 'GmbH', 'Ltd'))}"
    return User(
        user_id=f"usr_{rng.getrandbits(48):012x}",
        name=f"{first.title()} {last.title()}",
        email=email,
        email_spellings=(email, shouted, email.upper()),
        ip=ip,
        devices=devices,
        plans=_history(rng, plan, PLAN_CHANGE[plan], 0.25),
        countries=_history(rng, country, moved_to, 0.08),
        kind=rng.choices(("known", "converts", "anonymous"), (40, 35, 25))[0],
        weight=min(8.0, rng.paretovariate(1.6)),
        company=company if plan != "free" else None,
    )


def make_catalogue() -> list[dict]:
    rng = Random(POPULATION_SEED)
    return [
        {"product_id": f"prd_{rng.getrandbits(32):08x}",
         "name": f"{rng.choice(PRODUCT_WORDS[0])} {rng.choice(PRODUCT_WORDS[1])}",
         "category": rng.choice(CATEGORIES), "price": round(rng.uniform(4.99, 249.0), 2)}
        for _ in range(240)
    ]


# --- sessions -------------------------------------------------------------------------------


@dataclass(slots=True)
class Session:
    start_ms: int
    user: User
    device: Device
    budget: int  # number of valid events the session produces
    identified: bool  # userId known from the first event on
    identify_at: int  # index of the identify event inside the session; -1 for none


def _budgets(rng: Random, events: int) -> list[int]:
    budgets, total = [], 0
    while total < events:
        budget = min(MAX_SESSION_EVENTS, 1 + int(rng.expovariate(1 / 9)), events - total)
        budgets.append(budget)
        total += budget
    return budgets


def plan_sessions(rng: Random, users: list[User], events: int, start_ms: int,
                  window_ms: int) -> list[Session]:
    """Sessions holding exactly ``events`` valid events, spread over the users by activity."""
    budgets = _budgets(rng, events)
    cumulative, total = [], 0.0
    for user in users:
        total += user.weight
        cumulative.append(total)
    owners = rng.choices(range(len(users)), cum_weights=cumulative, k=len(budgets))
    by_user: dict[int, list[int]] = {}
    for budget, owner in zip(budgets, owners, strict=True):
        by_user.setdefault(owner, []).append(budget)
    sessions = []
    for owner in sorted(by_user):
        sessions += _user_sessions(rng, users[owner], by_user[owner], start_ms, window_ms)
    return sessions


def _user_sessions(rng: Random, user: User, budgets: list[int], start_ms: int,
                   window_ms: int) -> list[Session]:
    starts = sorted(start_ms + rng.randrange(window_ms) for _ in budgets)
    sessions, identified, free_from = [], user.kind == "known", start_ms
    for start, budget in zip(starts, budgets, strict=True):
        # Far enough from the previous session that even its longest possible run leaves a gap
        # of more than 30 minutes.
        start = max(start, free_from)
        free_from = start + budget * MAX_STEP_MS + SESSION_GAP_MS + MINUTE_MS
        identify_at = -1
        if user.kind == "converts" and not identified and budget >= 2:
            identify_at = rng.randrange(1, budget)
        elif identified and rng.random() < 0.3:
            identify_at = rng.randrange(budget)
        device = user.devices[0] if identify_at > 0 else rng.choice(user.devices)
        sessions.append(Session(start, user, device, budget, identified, identify_at))
        identified = identified or identify_at >= 0
    return sessions


class Visit:
    """One session's events: page views (screens in apps), the funnel, identify."""

    def __init__(self, rng: Random, session: Session, catalogue: list[dict], emails: set[str]):
        self.rng, self.session, self.catalogue, self.emails = rng, session, catalogue, emails
        self.user, self.device = session.user, session.device
        self.user_id = self.user.user_id if session.identified else None
        self.base_context = {**self.device.context, "ip": self.user.ip}
        self.context = self.base_context
        self.cart: list[dict] = []
        self.product: dict | None = None
        self.url = self.rng.choice(EXTERNAL_REFERRERS)
        self.search_term = SEARCH_TERMS[0]

    def events(self) -> Iterator[tuple[int, dict]]:
        """Endless (event time in epoch ms, event); the caller takes ``budget`` of them."""
        session, steps = self.session, self._browse()
        t, n = session.start_ms, 0
        while True:
            items = self._identify() if n == session.identify_at else (next(steps),)
            for gap, event in items:
                t += gap if n else 0
                event["anonymousId"] = self.device.anonymous_id
                if self.user_id:
                    event["userId"] = self.user_id
                event.setdefault("context", self.context)
                yield t, event
                n += 1

    def _step(self) -> int:
        return min(MAX_STEP_MS, MIN_STEP_MS + int(self.rng.expovariate(1 / 70_000)))

    def _track_step(self) -> int:
        return MIN_STEP_MS + int(self.rng.random() * 25 * SECOND_MS)

    def _browse(self) -> Iterator[tuple[int, dict]]:
        rng = self.rng
        page = rng.choices(("home", "product", "blog", "pricing"), (40, 30, 20, 10))[0]
        landing = True
        while True:
            yield self._step(), self._view(page, landing)
            landing, forced = False, None
            for event, then in self._tracks(page):
                yield self._track_step(), event
                forced = then or forced
            page = forced or rng.choices(NEXT_PAGES, NEXT_PAGE_WEIGHTS)[0]
            if page == "cart" and not self.cart and rng.random() < 0.5:
                page = "product"

    def _tracks(self, page: str) -> Iterator[tuple[dict, str | None]]:
        """Track events a page leads to, each with the page it forces next (or None)."""
        rng = self.rng
        if page == "product" and rng.random() < 0.85:
            yield _track(PRODUCT_VIEWED, {**self.product, "currency": "USD"}), None
            if rng.random() < 0.3:
                item = {**self.product, "quantity": rng.randint(1, 3)}
                self.cart.append(item)
                yield _track(PRODUCT_ADDED, {**item, "currency": "USD"}), (
                    "cart" if rng.random() < 0.5 else None)
        elif page == "cart" and self.cart and rng.random() < 0.5:
            yield _track(CHECKOUT_STARTED, {"value": _total(self.cart), "currency": "USD",
                                              "products": self.cart}), "checkout"
        elif page == "checkout" and self.cart and rng.random() < 0.65:
            yield _track(ORDER_COMPLETED, self._order()), "complete"
            self.cart = []
        elif page == "search" and rng.random() < 0.7:
            yield _track("Products Searched", {"query": self.search_term}), None

    def _order(self) -> dict:
        revenue = _total(self.cart)
        return {"order_id": f"ord_{self.rng.getrandbits(48):012x}",
                # Some SDK integrations send the amount as a string.
                "revenue": f"{revenue:.2f}" if self.rng.random() < 0.02 else revenue,
                "currency": "USD", "products": self.cart}

    def _view(self, page: str, landing: bool) -> dict:
        path, title = self._path(page)
        if self.device.app:
            return {"type": "screen", "name": title, "properties": {"name": title}}
        query, campaign = self._query(page, landing)
        url = f"{SITE}{path}{query}"
        props = {"path": path, "referrer": self.url, "search": query, "title": title, "url": url}
        self.context = {**self.base_context, "page": props}
        if campaign:
            self.context["campaign"] = campaign
        self.url = url
        return {"type": "page", "name": title.split(" | ")[0], "properties": props,
                "context": self.context}

    def _path(self, page: str) -> tuple[str, str]:
        rng = self.rng
        if page == "product":
            self.product = rng.choice(self.catalogue)
            return f"/products/{self.product['product_id']}", f"{self.product['name']} | Shop"
        if page == "blog":
            slug = rng.choice(BLOG_SLUGS)
            return f"/blog/{slug}", f"{slug.replace('-', ' ').title()} | Blog"
        if page == "search":
            self.search_term = rng.choice(SEARCH_TERMS)
        simple = {"home": ("/", "Home"), "search": ("/search", "Search"),
                  "pricing": ("/pricing", "Pricing"), "cart": ("/cart", "Cart"),
                  "checkout": ("/checkout", "Checkout"),
                  "complete": ("/checkout/complete", "Order Confirmation")}
        path, title = simple[page]
        return path, f"{title} | Shop"

    def _query(self, page: str, landing: bool) -> tuple[str, dict | None]:
        """Query string and campaign; links in emails may carry the address or the user id."""
        rng = self.rng
        if page == "search":
            return "?q=" + self.search_term.replace(" ", "+"), None
        if landing and rng.random() < 0.25:
            source, medium, name = rng.choice(CAMPAIGNS)
            query = f"?utm_source={source}&utm_medium={medium}&utm_campaign={name}"
            if source == "newsletter" and self.user.kind != "anonymous" and rng.random() < 0.5:
                query += f"&email={self.user.email}"
                self.emails.add(self.user.email)
            return query, {"source": source, "medium": medium, "name": name}
        if self.user_id and rng.random() < 0.01:
            return f"?uid={self.user_id}", None
        return "", None

    def _identify(self) -> list[tuple[int, dict]]:
        """identify (Segment: top-level traits; RudderStack: context.traits), maybe alias/group."""
        rng, user, now = self.rng, self.user, self.session.start_ms
        converting, self.user_id = self.user_id is None, user.user_id
        email = user.email if rng.random() < 0.75 else rng.choice(user.email_spellings[1:])
        self.emails.add(email)
        traits = {"email": email, "name": user.name, "plan": user.plan_at(now),
                  "country": user.country_at(now), "language": self.device.context["locale"]}
        if user.company:
            traits["company"] = user.company
        identify: dict = {"type": "identify"}
        if self.device.rudder:
            identify["context"] = {**self.context, "traits": traits}
        else:
            identify["traits"] = traits
        items = [(self._track_step(), identify)]
        if converting and rng.random() < 0.3:
            alias = {"type": "alias", "previousId": self.device.anonymous_id}
            items.append((self._track_step(), alias))
        if user.company and rng.random() < 0.1:
            group = {"type": "group", "groupId": f"grp_{zlib.crc32(user.company.encode()):08x}",
                     "traits": {"name": user.company, "industry": rng.choice(INDUSTRIES)}}
            items.append((self._track_step(), group))
        return items


def _track(name: str, properties: dict) -> dict:
    return {"type": "track", "event": name, "properties": properties}


def _total(cart: list[dict]) -> float:
    return round(sum(item["price"] * item["quantity"] for item in cart), 2)


# --- the feed: faults, ordering, files ------------------------------------------------------


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


class Feed:
    """Turns sessions into lines ordered by ``receivedAt``, injecting and counting the faults."""

    def __init__(self, rng: Random, seed: int, tally: Tally, landing: Landing,
                 late_ms: tuple[int, int]):
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
        return f"s{self.seed}-{_uuid(self.rng.getrandbits(96) << 32 | counter)}"

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
        stamped = {"messageId": self.message_id(), **event, "timestamp": local,
                   "originalTimestamp": local,
                   "sentAt": iso(sent, device.offset_min, device.suffix),
                   "receivedAt": iso(received)}
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


# --- the public API -------------------------------------------------------------------------


def file_plan(seed: int, events: int) -> tuple[list[str], int]:
    """File names (about 30% gzipped) and lines per file, from the expected line count."""
    expected = events * (1 + DUPLICATE_RATE + MALFORMED_RATE + INVALID_RATE)
    count = max(1, round(expected / LINES_PER_FILE))
    if events >= MIN_FILES_FROM_EVENTS:
        count = max(MIN_FILES, count)
    gzipped = set(Random(f"files:{seed}").sample(range(count), round(count * GZIP_SHARE)))
    names = [f"events-s{seed}-{i:04d}.json{'.gz' if i in gzipped else ''}" for i in range(count)]
    return names, -(-int(expected) // count)


def _check_targets(out_dir: Path, names: list[str], manifest: Path | None) -> None:
    clashes = [
        str(out_dir / stem)
        for stem in (name.removesuffix(".gz") for name in names)
        for candidate in (stem, f"{stem}.gz")
        if (out_dir / candidate).exists()
    ]
    if clashes:
        raise FileExistsError(
            f"{len(clashes)} target file(s) exist already, e.g. {clashes[0]}: refusing to "
            "overwrite; use another --seed or another --out folder")
    if manifest is not None and manifest.resolve().is_relative_to(out_dir.resolve()):
        raise ValueError(f"the manifest {manifest} must not be inside the landing folder {out_dir}")


def _as_utc(start: datetime | None) -> datetime:
    if start is None:
        return POPULATION_EPOCH
    return start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)


def generate(out_dir: Path, events: int, seed: int = 7, start: datetime | None = None,
             days: int = 7, manifest: Path | None = None) -> Manifest:
    """Write ``events`` distinct valid events (plus the faults) into ``out_dir``; see the module."""
    if events < 1 or days < 1:
        raise ValueError("events and days must be at least 1")
    out_dir, start = Path(out_dir), _as_utc(start)
    names, per_file = file_plan(seed, events)
    _check_targets(out_dir, names, manifest)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.incoming-s{seed}"
    staging.mkdir(exist_ok=True)
    try:
        landing, tally = Landing(out_dir, names, per_file, staging), Tally()
        rng = Random(seed)
        users = [make_user(i) for i in range(max(MIN_USERS, events // EVENTS_PER_USER))]
        window_ms = days * DAY_MS
        sessions = plan_sessions(rng, users, events, _epoch_ms(start), window_ms)
        # Late by more than a file's span, so a late event lands in a later file.
        late_from = min(max(HOUR_MS, window_ms * 3 // (2 * len(names))), 3 * DAY_MS)
        Feed(rng, seed, tally, landing, (late_from, late_from + DAY_MS)).run(
            sessions, make_catalogue())
        landing.flush()
        landing.publish()
    finally:
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()
    result = _manifest(seed, start, days, landing, tally)
    if manifest is not None:
        manifest.parent.mkdir(parents=True, exist_ok=True)
        manifest.write_text(result.to_json() + "\n")
    return result


def _manifest(seed: int, start: datetime, days: int, landing: Landing, tally: Tally) -> Manifest:
    return Manifest(
        seed=seed,
        population_seed=POPULATION_SEED,
        start=start.isoformat(),
        end=(start + timedelta(days=days)).isoformat(),
        files=landing.written,
        lines=landing.count,
        valid_events=tally.valid,
        duplicates=tally.duplicates,
        malformed=tally.malformed,
        invalid=tally.invalid,
        unknown_field_events=tally.unknown_fields,
        no_timestamp_events=tally.no_timestamp,
        late_message_ids=tally.late,
        user_ids=sorted(tally.user_ids),
        anonymous_ids=sorted(tally.anonymous_ids),
        emails=sorted(tally.emails),
        ips=sorted(tally.ips),
        order_revenue_total=round(tally.revenue, 2),
        funnel={key: tally.tracks[name] for name, key in FUNNEL_COLUMNS.items()},
        page_views=tally.page_views,
    )


def summary(manifest: Manifest, out_dir: Path) -> str:
    gzipped = sum(name.endswith(".gz") for name in manifest.files)
    return (
        f"Wrote {len(manifest.files)} files ({gzipped} gzipped) to {out_dir}: "
        f"{manifest.lines:,} lines = {manifest.valid_events:,} distinct valid events + "
        f"{manifest.duplicates:,} re-delivered duplicates + {manifest.malformed:,} malformed lines "
        f"+ {manifest.invalid:,} invalid events (to quarantine); "
        f"{len(manifest.late_message_ids):,} late, {manifest.unknown_field_events:,} with unknown "
        f"fields, {manifest.no_timestamp_events:,} without timestamp; "
        f"{len(manifest.user_ids):,} users, {manifest.page_views:,} page views, "
        f"{manifest.funnel['orders']:,} orders, revenue {manifest.order_revenue_total:,.2f}."
    )


# --- command line ---------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _iso_datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 date/time: {text!r}") from err


def add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="landing folder (created)")
    parser.add_argument("--events", type=_positive_int, required=True,
                        help="distinct valid events; the faults come in addition")
    parser.add_argument("--seed", type=int, default=7, help="event seed (default 7)")
    parser.add_argument("--start", type=_iso_datetime, default=None,
                        help=f"first day, ISO-8601, UTC if no offset (default "
                             f"{POPULATION_EPOCH.date()})")
    parser.add_argument("--days", type=_positive_int, default=7, help="days covered (default 7)")
    parser.add_argument("--manifest", type=Path, help="write the manifest JSON here")


def run_generate(args: argparse.Namespace) -> int:
    try:
        manifest = generate(args.out, args.events, args.seed, args.start, args.days,
                            args.manifest)
    except (FileExistsError, ValueError) as err:
        print(f"generate: {err}", file=sys.stderr)
        return 2
    print(summary(manifest, args.out))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="clickstream-local generate",
        description="Write sample Segment-spec clickstream files into a landing folder.")
    add_generate_arguments(parser)
    return run_generate(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
