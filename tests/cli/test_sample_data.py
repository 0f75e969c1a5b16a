"""The sample-data generator (clickstream_cli.sample_data): determinism, file layout, and that
the manifest tells the truth."""

from __future__ import annotations

import functools
import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest

from clickstream.contract import SEGMENT_FIELDS
from clickstream_cli.sample_data import generate

EVENTS = 20_000  # enough for every fault to appear, still well under a second or two
TIME_FIELDS = ("timestamp", "originalTimestamp", "receivedAt")
URL_KEYS = ("url", "referrer", "search")


def read_lines(folder: Path, prefix: str = "") -> list[str]:
    lines = []
    for path in sorted(folder.glob(f"{prefix}*.json*")):
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        lines += data.decode().split("\n")[:-1]
    return lines


def parse(line: str) -> dict | None:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def event_time(event: dict) -> datetime | None:
    for key in TIME_FIELDS:
        try:
            return datetime.fromisoformat(event[key])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def is_valid(event: dict) -> bool:
    return bool(str(event.get("messageId") or "").strip()) and event_time(event) is not None


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("generate")
    manifest = generate(root / "landing", EVENTS, seed=11, manifest=root / "manifest.json")
    return root / "landing", manifest


@pytest.fixture(scope="module")
def events(landing):
    return [e for e in map(parse, read_lines(landing[0])) if e is not None]


def test_same_seed_writes_identical_files_and_manifest(tmp_path):
    first = generate(tmp_path / "a", 3_000, seed=5)
    second = generate(tmp_path / "b", 3_000, seed=5)
    assert first.to_json() == second.to_json()
    for name in first.files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_two_seeds_in_one_folder_share_no_message_id_or_file_name(tmp_path):
    first = generate(tmp_path, 3_000, seed=1)
    second = generate(tmp_path, 3_000, seed=2)
    assert not set(first.files) & set(second.files)
    ids = [
        {
            e.get("messageId")
            for e in map(parse, read_lines(tmp_path, f"events-s{seed}-"))
            if e is not None
        }
        - {None}
        for seed in (1, 2)
    ]
    assert ids[0] and ids[1] and not ids[0] & ids[1]


def test_two_seeds_continue_the_same_user_population(tmp_path):
    first = generate(tmp_path, 3_000, seed=1)
    second = generate(tmp_path, 3_000, seed=2)
    assert set(first.user_ids) & set(second.user_ids)


def test_line_count_matches_the_manifest_invariant(landing):
    folder, manifest = landing
    lines = read_lines(folder)
    assert len(lines) == manifest.lines
    assert manifest.lines == (
        manifest.valid_events + manifest.duplicates + manifest.malformed + manifest.invalid
    )
    assert manifest.valid_events == EVENTS


def test_valid_duplicate_and_invalid_counts_match_the_lines(landing, events):
    _, manifest = landing
    valid = [e["messageId"] for e in events if is_valid(e)]
    assert len(set(valid)) == manifest.valid_events
    assert len(valid) - len(set(valid)) == manifest.duplicates
    assert sum(not is_valid(e) for e in events) == manifest.invalid > 0


def test_malformed_lines_do_not_parse_and_all_others_are_json_objects(landing):
    folder, manifest = landing
    parsed = [parse(line) for line in read_lines(folder)]
    assert sum(p is None for p in parsed) == manifest.malformed > 0
    assert all(isinstance(p, dict) for p in parsed if p is not None)


def test_single_quoted_pseudo_json_is_among_the_malformed_lines(landing):
    single_quoted = [line for line in read_lines(landing[0]) if line.startswith("{'")]
    assert single_quoted
    assert all(parse(line) is None for line in single_quoted)


def test_late_events_are_received_at_least_an_hour_after_they_happened(landing, events):
    late = set(landing[1].late_message_ids)
    late_events = [e for e in events if e.get("messageId") in late]
    assert late_events
    for event in late_events:
        lag = datetime.fromisoformat(event["receivedAt"]) - datetime.fromisoformat(
            event["timestamp"]
        )
        assert lag.total_seconds() >= 3600


def test_some_valid_events_have_no_timestamp_but_another_time_field(landing, events):
    no_timestamp = [e for e in events if is_valid(e) and "timestamp" not in e]
    assert len({e["messageId"] for e in no_timestamp}) == landing[1].no_timestamp_events > 0


def test_identify_traits_sit_at_top_level_and_in_context_traits(events):
    identifies = [e for e in events if e.get("type") == "identify"]
    top_level = [e for e in identifies if "traits" in e]
    in_context = [e for e in identifies if "traits" in e["context"]]
    assert top_level and in_context
    assert all(e["context"]["library"]["name"].startswith("rudder-") for e in in_context)


def test_emails_appear_in_more_than_one_spelling(landing):
    emails = landing[1].emails
    assert len({e.strip().lower() for e in emails}) < len(emails)


def test_no_email_user_id_or_ip_in_properties_outside_url_query_strings(landing, events):
    manifest = landing[1]
    secrets = set(manifest.user_ids) | set(manifest.ips)
    secrets |= {e.strip() for e in manifest.emails} | {e.strip().lower() for e in manifest.emails}

    lowered = [secret.lower() for secret in secrets]

    @functools.cache  # the feed repeats few distinct property values many times
    def holds_a_secret(text: str) -> bool:
        return any(secret in text for secret in lowered)

    def leaks(value) -> bool:
        if isinstance(value, dict):
            return any(leaks(v) for k, v in value.items() if k not in URL_KEYS)
        if isinstance(value, list):
            return any(leaks(v) for v in value)
        return holds_a_secret(str(value).lower())

    assert not [e["messageId"] for e in events if leaks(e.get("properties") or {})]


def test_unknown_top_level_fields_carry_no_pii(landing, events):
    manifest = landing[1]
    known = {*SEGMENT_FIELDS, "previousId", "groupId"}
    extras = [json.dumps({k: v for k, v in e.items() if k not in known}) for e in events]
    extras = [text for text in extras if text != "{}"]
    assert len(extras) >= manifest.unknown_field_events * 0.8
    secrets = set(manifest.user_ids) | set(manifest.ips) | {e.strip() for e in manifest.emails}
    assert not [x for x in extras if any(secret in x for secret in secrets)]


def test_funnel_counts_decrease_step_by_step(landing):
    funnel = landing[1].funnel
    assert (
        funnel["product_viewed"]
        > funnel["product_added"]
        > funnel["checkout_started"]
        > funnel["orders"]
        > 0
    )


def test_some_files_are_gzipped_and_none_are_hidden(landing):
    folder, manifest = landing
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(manifest.files) and len(names) >= 4
    assert any(n.endswith(".gz") for n in names) and any(n.endswith(".json") for n in names)
    assert not [n for n in names if n.startswith(("_", "."))]


def test_refuses_to_overwrite_an_existing_file(tmp_path):
    first = generate(tmp_path, 500, seed=3)
    before = (tmp_path / first.files[0]).read_bytes()
    with pytest.raises(FileExistsError, match="refusing to overwrite"):
        generate(tmp_path, 500, seed=3)
    assert (tmp_path / first.files[0]).read_bytes() == before


def test_refuses_a_manifest_inside_the_landing_folder(tmp_path):
    with pytest.raises(ValueError, match="manifest"):
        generate(tmp_path, 100, manifest=tmp_path / "manifest.json")
    assert not list(tmp_path.iterdir())
