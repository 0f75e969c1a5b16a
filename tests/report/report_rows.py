"""A small hand-made set of dataset rows for the report tests: two whole days and a partial last
day, long page paths, two ingestion days, and quarantined rows that fail two rules each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from clickstream.contract import FUNNEL_STEPS

DAYS = [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
WHOLE, PARTIAL = "whole day", "partial day"
FUNNEL_EVENTS = [120, 48, 24, 12]
PAGE_VIEWS = {
    "/": 90,
    "/products/running-shoes/trail-runner-2000/reviews": 55,
    "/cart": 40,
    "/checkout/shipping-address": 31,
}
QUALITY_PARTS = {
    DAYS[0]: {"accepted": 90, "quarantined": 6, "duplicates": 4},
    DAYS[1]: {"accepted": 80, "quarantined": 9, "duplicates": 1},
}
QUARANTINED = sum(parts["quarantined"] for parts in QUALITY_PARTS.values())


def _daily(when: date, status: str, users: int, sessions: int, converted: int) -> dict:
    return {
        "event_date": when,
        "day": status,
        "active_users": users,
        "sessions": sessions,
        "converted_sessions": converted,
        "session_conversion": converted / sessions if status == WHOLE else None,
        "orders": converted,
        "revenue": Decimal("50.25") * converted,
    }


ROWS = {
    "headline": [
        {
            "events": 12_345,
            "people": 67,
            "sessions": 89,
            "session_conversion": 0.125,
            "revenue": Decimal("1234.50"),
        }
    ],
    "funnel": [
        {
            "step_order": i + 1,
            "step": step,
            "step_label": f"{i + 1}. {step}",
            "events": events,
            "step_conversion": events / FUNNEL_EVENTS[i - 1] if i else None,
            "overall_conversion": events / FUNNEL_EVENTS[0],
        }
        for i, (step, events) in enumerate(zip(FUNNEL_STEPS, FUNNEL_EVENTS, strict=True))
    ],
    "daily_activity": [
        _daily(DAYS[0], WHOLE, 30, 41, 5),
        _daily(DAYS[1], WHOLE, 34, 45, 7),
        _daily(DAYS[2], PARTIAL, 3, 4, 1),
    ],
    "top_pages": [{"page_path": p, "page_views": n} for p, n in PAGE_VIEWS.items()],
    "top_entry_pages": [
        {"entry_path": "/", "sessions": 50, "converted_sessions": 6},
        {
            "entry_path": "/products/running-shoes/trail-runner-2000",
            "sessions": 20,
            "converted_sessions": 4,
        },
    ],  # fmt: skip
    "quality_totals": [
        {"ingest_date": when, "outcome": outcome, "rows": rows}
        for when, parts in QUALITY_PARTS.items()
        for outcome, rows in parts.items()
    ],
    "quality_rules": [
        {"bar": "all quarantined rows", "rows": QUARANTINED},
        {"bar": "failed has_message_id", "rows": QUARANTINED},
        {"bar": "failed is_json_object", "rows": 10},
    ],
}
