"""The erasure job's DELETEs (clickstream.erasure_sql) pick exactly the rows the local forget's
matchers (clickstream.erasure) pick: both run on the same rows in Spark."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_erasure import ALICE, ALICE_EMAIL, KEY, raw, silver, subject  # noqa: F401 (fixtures)

from clickstream import erasure, erasure_sql
from clickstream.contract import LINK_COLUMNS
from clickstream.gold_dim_users import build_dim_users
from clickstream.gold_sessions import build_sessions, link_records


def _same_rows(frame, column_match, sql_predicate):
    # _ingested_at is current_timestamp() in the fixture: evaluated anew by each query.
    frame = frame.drop("_ingested_at")
    by_column = frame.where(column_match).collect()
    by_sql = frame.where(sql_predicate).collect()
    assert by_column, "the fixture should hold rows of the person"
    assert sorted(map(repr, by_sql)) == sorted(map(repr, by_column))


def test_silver_delete_picks_the_rows_silver_match_picks(raw, silver, subject):  # noqa: F811
    event_ids = erasure.raw_event_ids(raw, erasure.clear_values(raw, subject, KEY))
    _same_rows(
        silver,
        erasure.silver_match(subject, event_ids),
        erasure_sql.silver_predicate(subject, event_ids),
    )


def test_dim_users_delete_picks_the_versions_dim_users_match_picks(silver, subject):  # noqa: F811
    dim = build_dim_users(silver)
    _same_rows(dim, erasure.dim_users_match(subject), erasure_sql.dim_users_predicate(subject))


def test_sessions_delete_picks_the_sessions_sessions_match_picks(silver, subject):  # noqa: F811
    sessions = build_sessions(silver)
    _same_rows(sessions, erasure.sessions_match(subject), erasure_sql.sessions_predicate(subject))


def test_session_links_delete_picks_the_links_keyed_match_picks(silver, subject):  # noqa: F811
    links = link_records(silver)
    _same_rows(
        links,
        erasure.keyed_match(subject, LINK_COLUMNS),
        erasure_sql.session_links_predicate(subject),
    )


def test_ledger_delete_picks_the_rows_ledger_match_picks(raw, silver, subject):  # noqa: F811
    import pyspark.sql.functions as F

    from clickstream.gold_quality_daily import quality_ledger

    event_ids = erasure.raw_event_ids(raw, erasure.clear_values(raw, subject, KEY))
    ledger_ids = erasure.silver_event_ids(silver, subject, event_ids) | event_ids
    ledger = quality_ledger(raw.withColumn("failed_rules", F.array().cast("array<string>")))
    _same_rows(ledger, erasure.ledger_match(ledger_ids), erasure_sql.ledger_predicate(ledger_ids))


def test_statements_delete_from_the_published_tables_in_reading_order(subject):  # noqa: F811
    statements = erasure_sql.erasure_statements("main", "clickstream_dlt", subject, ["m1"])
    targets = [s.split(" WHERE ")[0] for s in statements]
    assert targets == [
        "DELETE FROM `main`.`clickstream_dlt`.`silver_events`",
        "DELETE FROM `main`.`clickstream_dlt`.`gold_dim_users`",
        "DELETE FROM `main`.`clickstream_dlt`.`gold_sessions`",
        "DELETE FROM `main`.`clickstream_dlt`.`gold_session_links`",
        "DELETE FROM `main`.`clickstream_dlt`.`gold_quality_ledger`",
    ]


def test_no_clear_identifier_appears_in_the_statements(subject):  # noqa: F811
    text = " ".join(erasure_sql.erasure_statements("main", "clickstream_dlt", subject))
    assert ALICE not in text and ALICE_EMAIL not in text.lower() and "alice" not in text


def test_an_empty_subject_deletes_nothing():
    assert erasure_sql.erasure_statements("main", "s", erasure.Subject()) == []


def test_a_value_that_is_not_a_hash_is_refused_before_any_sql_is_built():
    with pytest.raises(ValueError, match="HMAC"):
        erasure_sql.sessions_predicate(erasure.Subject(user_keys=frozenset({"x' OR TRUE --"})))


def test_materialized_views_are_refreshed_not_deleted_from():
    assert not set(erasure_sql.REFRESHED_VIEWS) & set(erasure_sql.DELETED_TABLES)


@settings(deadline=None, max_examples=30)
@given(st.text(max_size=40))
def test_any_event_id_is_one_sql_literal_of_itself(spark, value):
    assert spark.sql(f"SELECT {erasure_sql.literal(value)} AS v").first().v == value
