"""The fixed population: users (ids, emails, devices, plan and country history) and the catalogue.

Both come from ``POPULATION_SEED``, never from the event seed, so every run meets the same people.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from clickstream_cli.sample_data.formats import epoch_ms, uuid_like
from clickstream_cli.sample_data.vocabulary import (
    APP_HARDWARE,
    CATEGORIES,
    COMPANY_WORDS,
    COUNTRIES,
    DAY_MS,
    DEVICE_KINDS,
    DEVICE_WEIGHTS,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    LIBRARIES,
    OFFSET_WEIGHTS,
    OFFSETS,
    PLAN_CHANGE,
    PLAN_WEIGHTS,
    PLANS,
    POPULATION_EPOCH,
    POPULATION_SEED,
    PRODUCT_WORDS,
    USER_AGENTS,
)


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
    context = {
        "userAgent": rng.choice(USER_AGENTS[kind]),
        "locale": COUNTRIES[country],
        "library": {"name": library_name, "version": version},
    }
    if kind in APP_HARDWARE:
        context["device"], context["os"] = APP_HARDWARE[kind]
        context["app"] = {"name": "Example Shop", "version": "3.4.1", "build": "341"}
    offset_min, suffix = rng.choices(OFFSETS, OFFSET_WEIGHTS)[0]
    return Device(
        uuid_like(rng.getrandbits(128)), kind in APP_HARDWARE, rudder, context, offset_min, suffix
    )


def _history(rng: Random, first: str, changed: str, share: float) -> list[tuple[int, str]]:
    """A value that, for ``share`` of the users, changes once within two weeks of the epoch."""
    history = [(0, first)]
    if rng.random() < share:
        history.append((epoch_ms(POPULATION_EPOCH) + rng.randrange(14 * DAY_MS), changed))
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
        {
            "product_id": f"prd_{rng.getrandbits(32):08x}",
            "name": f"{rng.choice(PRODUCT_WORDS[0])} {rng.choice(PRODUCT_WORDS[1])}",
            "category": rng.choice(CATEGORIES),
            "price": round(rng.uniform(4.99, 249.0), 2),
        }
        for _ in range(240)
    ]
