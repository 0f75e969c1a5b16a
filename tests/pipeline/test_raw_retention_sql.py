"""Raw-data retention SQL: which raw rows expire, and the statements a retention run executes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickstream.retention import expired, retention_statements

RAW = "`main`.`clickstream_dlt_raw`"


def test_a_run_deletes_then_purges_then_vacuums_both_raw_tables():
    assert retention_statements("main", "clickstream_dlt_raw", 30) == [
        f"DELETE FROM {RAW}.`bronze_events` "
        "WHERE _ingested_at < current_timestamp() - INTERVAL 30 DAYS",
        f"DELETE FROM {RAW}.`silver_quarantine` "
        "WHERE _ingested_at < current_timestamp() - INTERVAL 30 DAYS",
        f"REORG TABLE {RAW}.`bronze_events` APPLY (PURGE)",
        f"REORG TABLE {RAW}.`silver_quarantine` APPLY (PURGE)",
        f"VACUUM {RAW}.`bronze_events`",
        f"VACUUM {RAW}.`silver_quarantine`",
    ]


def test_no_published_table_is_ever_touched():
    statements = " ".join(retention_statements("main", "clickstream_dlt_raw", 7))
    assert "silver_events" not in statements and "gold_" not in statements


def test_rows_older_than_the_limit_expire_and_younger_rows_stay(spark):
    ages = spark.sql(
        "SELECT hours, current_timestamp() - make_dt_interval(0, hours) AS _ingested_at "
        "FROM VALUES (1), (7 * 24 - 1), (7 * 24 + 1), (400 * 24) AS t(hours)"
    )
    gone = ages.where(expired(7)).select("hours").collect()
    assert sorted(row.hours for row in gone) == [7 * 24 + 1, 400 * 24]


def test_the_delete_statement_is_valid_spark_sql(spark):
    parser = spark._jsparkSession.sessionState().sqlParser()
    delete = retention_statements("main", "clickstream_dlt_raw", 30)[0]
    assert "DeleteFromTable" in parser.parsePlan(delete).toString()


@pytest.mark.parametrize("days", [0, -1, 1.5, True, "30"])
def test_days_must_be_a_positive_whole_number(days):
    with pytest.raises(ValueError, match="positive whole number"):
        retention_statements("main", "clickstream_dlt_raw", days)


@given(name=st.text(max_size=40))
def test_a_name_is_a_unity_catalog_name_or_refused_never_spliced_raw(name):
    try:
        statements = retention_statements(name, "clickstream_dlt_raw", 30)
    except ValueError:
        return
    assert "`" not in name and " " not in name
    assert statements[0].startswith(f"DELETE FROM `{name}`.")
