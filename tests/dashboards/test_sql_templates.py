"""Dataset SQL templates: contract constants become SQL literals, written once."""

import pytest

from clickstream import contract
from dashboards.sql import TemplateError, fill, referenced_tables


def test_a_string_constant_becomes_a_quoted_literal_with_quotes_doubled(monkeypatch):
    monkeypatch.setattr(contract, "SOME_EVENT", "Shopper's Choice", raising=False)
    assert fill("WHERE event_name = ${SOME_EVENT}") == "WHERE event_name = 'Shopper''s Choice'"


def test_a_tuple_constant_becomes_a_list_of_literals(monkeypatch):
    monkeypatch.setattr(contract, "SOME_NAMES", ("a", "b"), raising=False)
    assert fill("rule IN (${SOME_NAMES})") == "rule IN ('a', 'b')"


def test_a_dollar_sign_is_written_twice():
    assert fill("SELECT '$$5'") == "SELECT '$5'"


def test_an_unknown_name_is_refused_with_its_name():
    with pytest.raises(TemplateError, match=r"\$\{NOT_IN_THE_CONTRACT\}"):
        fill("SELECT ${NOT_IN_THE_CONTRACT}")


def test_referenced_tables_skips_cte_names_and_comments():
    sql = (
        "-- FROM bronze_events\nWITH t AS (SELECT * FROM gold_sessions) SELECT * FROM t "
        "JOIN `silver_events` s ON true"
    )
    assert referenced_tables(sql) == {"gold_sessions", "silver_events"}
