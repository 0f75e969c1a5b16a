"""``generate``: one seeded run into a landing folder, and the ``Manifest`` of what it wrote."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

from clickstream.contract import FUNNEL_COLUMNS
from clickstream_cli.sample_data.feed import Feed, Tally
from clickstream_cli.sample_data.formats import epoch_ms
from clickstream_cli.sample_data.landing import Landing, check_targets, file_plan
from clickstream_cli.sample_data.population import make_catalogue, make_user
from clickstream_cli.sample_data.sessions import plan_sessions
from clickstream_cli.sample_data.vocabulary import (
    DAY_MS,
    EVENTS_PER_USER,
    HOUR_MS,
    MIN_USERS,
    POPULATION_EPOCH,
    POPULATION_SEED,
)


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


def _as_utc(start: datetime | None) -> datetime:
    if start is None:
        return POPULATION_EPOCH
    return start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)


def generate(
    out_dir: Path,
    events: int,
    seed: int = 7,
    start: datetime | None = None,
    days: int = 7,
    manifest: Path | None = None,
) -> Manifest:
    """Write ``events`` distinct valid events (plus the faults) into ``out_dir``.

    See the package docstring for what the seeds decide.
    """
    if events < 1 or days < 1:
        raise ValueError("events and days must be at least 1")
    out_dir, start = Path(out_dir), _as_utc(start)
    names, per_file = file_plan(seed, events)
    check_targets(out_dir, names, manifest)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.incoming-s{seed}"
    staging.mkdir(exist_ok=True)
    try:
        landing, tally = Landing(out_dir, names, per_file, staging), Tally()
        rng = Random(seed)
        users = [make_user(i) for i in range(max(MIN_USERS, events // EVENTS_PER_USER))]
        window_ms = days * DAY_MS
        sessions = plan_sessions(rng, users, events, epoch_ms(start), window_ms)
        # Late by more than a file's span, so a late event lands in a later file.
        late_from = min(max(HOUR_MS, window_ms * 3 // (2 * len(names))), 3 * DAY_MS)
        Feed(rng, seed, tally, landing, (late_from, late_from + DAY_MS)).run(
            sessions, make_catalogue()
        )
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
