"""Session planning: exactly ``events`` valid events cut into sessions and spread over the users."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from clickstream_cli.sample_data.population import Device, User
from clickstream_cli.sample_data.vocabulary import (
    MAX_SESSION_EVENTS,
    MAX_STEP_MS,
    MINUTE_MS,
    SESSION_GAP_MS,
)


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


def plan_sessions(
    rng: Random, users: list[User], events: int, start_ms: int, window_ms: int
) -> list[Session]:
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


def _user_sessions(
    rng: Random, user: User, budgets: list[int], start_ms: int, window_ms: int
) -> list[Session]:
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
