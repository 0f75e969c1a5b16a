"""Which rows are a person's: the erasure predicates on raw lines, Silver and Gold rows."""

from __future__ import annotations

import json

import pytest
from pyspark.sql import functions as F

from clickstream import erasure
from clickstream.bronze_events import parse_raw_lines
from clickstream.rules import check_rules
from clickstream.silver_events import to_silver_columns, valid_rows

KEY = "test-key-0123456789-0123456789-0123456789"
ALICE, BOB = "usr_alice", "usr_bob"
ALICE_DEVICE, BOB_DEVICE = "anon-alice", "anon-bob"
ALICE_EMAIL = "alice@example.org"


def _event(message_id, **fields):
    return json.dumps({"messageId": message_id, "timestamp": "2026-03-01T10:00:00Z", **fields})


LINES = {
    "alice_page": _event("m1", type="page", userId=ALICE, anonymousId=ALICE_DEVICE),
    "alice_before_login": _event("m2", type="page", anonymousId=ALICE_DEVICE),
    "alice_identify": _event(
        "m3",
        type="identify",
        userId=ALICE,
        anonymousId=ALICE_DEVICE,
        traits={"email": " Alice@Example.org ", "plan": "pro"},
    ),
    "alice_cut_off": _event("m4", type="page", anonymousId=ALICE_DEVICE)[:-2],
    "email_in_query": _event(
        "m5",
        type="page",
        anonymousId="anon-stranger",
        context={"page": {"url": "https://shop.example/?email=ALICE@example.org"}},
    ),
    "bob_page": _event("m6", type="page", userId=BOB, anonymousId=BOB_DEVICE),
    "bob_on_alices_device": _event("m7", type="page", userId=BOB, anonymousId=ALICE_DEVICE),
    "garbage": "this is not an event",
}
ALICES = {"alice_page", "alice_before_login", "alice_identify", "alice_cut_off", "email_in_query"}


@pytest.fixture(scope="module")
def raw(spark):
    lines = spark.createDataFrame(
        [(name, line) for name, line in LINES.items()], "name string, value string"
    )
    return parse_raw_lines(
        lines.select(
            "value",
            F.col("name").alias("_source_file"),
            F.current_timestamp().alias("_ingested_at"),
        )
    )


@pytest.fixture(scope="module")
def silver(raw):
    return to_silver_columns(valid_rows(check_rules(raw)), KEY)


@pytest.fixture(scope="module")
def subject(spark, silver, raw):
    given = erasure.subject_of(spark, KEY, user_ids=[ALICE])
    expanded = erasure.expand(silver, given)
    users = erasure.clear_values(raw, expanded, KEY).user_ids
    emails = erasure.raw_trait_emails(raw, users)
    return expanded.union(erasure.subject_of(spark, KEY, emails=emails))


def _names(frame):
    return {r._source_file for r in frame.select("_source_file").collect()}


def test_a_given_identifier_hashes_as_silver_hashes_it(spark, silver):
    subject = erasure.subject_of(
        spark, KEY, user_ids=[f"  {ALICE}\t"], emails=["ALICE@example.org"]
    )
    alice = silver.where(F.col("event_id") == "m3").first()
    assert subject.user_keys == {alice.user_key}
    assert subject.email_hashes == {alice.email_hash}


def test_expansion_adds_stitched_devices_and_emails(subject, silver):
    before_login = silver.where(F.col("event_id") == "m2").first()
    assert before_login.anonymous_key in subject.anonymous_keys
    assert len(subject.email_hashes) == 1


def test_raw_rows_of_the_person_are_found_and_nobody_elses(raw, subject):
    clear = erasure.clear_values(raw, subject, KEY)
    assert clear.user_ids == {ALICE}
    assert clear.emails == {ALICE_EMAIL}
    assert _names(raw.where(erasure.raw_match(clear))) == ALICES


def test_another_persons_event_on_their_device_stays(raw, subject):
    clear = erasure.clear_values(raw, subject, KEY)
    kept = _names(raw.where(~erasure.raw_match(clear)))
    assert {"bob_page", "bob_on_alices_device", "garbage"} == kept


def test_silver_rows_of_the_person_include_events_found_by_their_raw_copy(raw, silver, subject):
    clear = erasure.clear_values(raw, subject, KEY)
    event_ids = erasure.raw_event_ids(raw, clear)
    matched = silver.where(erasure.silver_match(subject, event_ids))
    assert {r.event_id for r in matched.collect()} == {"m1", "m2", "m3", "m5"}


def test_an_unknown_person_matches_nothing(spark, raw, silver):
    nobody = erasure.expand(silver, erasure.subject_of(spark, KEY, user_ids=["usr_nobody"]))
    clear = erasure.clear_values(raw, nobody, KEY)
    assert clear.is_empty()
    assert raw.where(erasure.raw_match(clear)).count() == 0
    assert silver.where(erasure.silver_match(nobody)).count() == 0
