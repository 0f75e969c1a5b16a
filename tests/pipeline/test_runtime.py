"""The runtime adapter (clickstream.runtime): what differs between Databricks and a local run."""

from __future__ import annotations

from unittest.mock import MagicMock

import pyspark.pipelines
import pytest

from clickstream import bronze, runtime
from clickstream.rules import SILVER_RULES
from clickstream.runtime import (
    DEDUPE_HORIZON_KEY,
    DEVELOPMENT_PII_KEY,
    LANDING_PATH_KEY,
    PII_KEY_KEY,
    RAW_SCHEMA_KEY,
    RUNTIME_KEY,
    PipelineConfigError,
    from_conf,
)

LANDING = "abfss://landing@lake.dfs.core.windows.net/clickstream/"
SECRET = "super-secret-pii-key"


def databricks_conf(**extra) -> dict:
    return {
        RUNTIME_KEY: "databricks",
        LANDING_PATH_KEY: LANDING,
        PII_KEY_KEY: SECRET,
        RAW_SCHEMA_KEY: "clickstream_dlt_raw",
        **extra,
    }


def test_local_is_the_default_runtime_with_the_development_key():
    rt = from_conf({LANDING_PATH_KEY: "landing"})

    assert (rt.name, rt.is_databricks) == ("local", False)
    assert rt.pii_key == DEVELOPMENT_PII_KEY
    assert "DEVELOPMENT" in rt.pii_key and "NOT-SECRET" in rt.pii_key
    assert rt.dedupe_horizon == "3 days"


def test_local_uses_a_configured_pii_key():
    assert from_conf({LANDING_PATH_KEY: "landing", PII_KEY_KEY: "k"}).pii_key == "k"


def test_runtime_name_is_trimmed_and_case_insensitive():
    assert from_conf({**databricks_conf(), RUNTIME_KEY: " Databricks "}).is_databricks


@pytest.mark.parametrize("missing", [None, ""])
def test_databricks_requires_a_pii_key_and_the_error_names_it(missing):
    with pytest.raises(PipelineConfigError, match=PII_KEY_KEY):
        from_conf(databricks_conf(**{PII_KEY_KEY: missing}))


def test_databricks_uses_the_configured_key_never_the_development_key():
    assert from_conf(databricks_conf()).pii_key == SECRET


def test_unknown_runtime_is_an_error_that_names_the_key():
    with pytest.raises(PipelineConfigError, match=RUNTIME_KEY):
        from_conf({RUNTIME_KEY: "emr", LANDING_PATH_KEY: "landing"})


@pytest.mark.parametrize("landing", [None, "", "   "])
def test_missing_landing_path_is_an_error_that_names_the_key(landing):
    with pytest.raises(PipelineConfigError, match=LANDING_PATH_KEY):
        from_conf({LANDING_PATH_KEY: landing})


@pytest.mark.parametrize("horizon", ["3 fortnights", "0 days", "-1 days", "three days", "3days"])
def test_bad_dedupe_horizon_is_an_error_that_names_the_key(horizon):
    with pytest.raises(PipelineConfigError, match=DEDUPE_HORIZON_KEY):
        from_conf({LANDING_PATH_KEY: "landing", DEDUPE_HORIZON_KEY: horizon})


@pytest.mark.parametrize("horizon", ["12 hours", "1 day", "2 Weeks", " 30 minutes "])
def test_good_dedupe_horizon_is_kept_normalised(horizon):
    rt = from_conf({LANDING_PATH_KEY: "landing", DEDUPE_HORIZON_KEY: horizon})

    assert rt.dedupe_horizon == horizon.strip().lower()


def test_raw_table_is_in_the_raw_schema_on_databricks():
    assert from_conf(databricks_conf()).raw_table("bronze_events") == (
        "clickstream_dlt_raw.bronze_events"
    )


def test_raw_table_is_unqualified_locally_even_with_a_raw_schema():
    rt = from_conf({LANDING_PATH_KEY: "landing", RAW_SCHEMA_KEY: "clickstream_dlt_raw"})

    assert rt.raw_table("bronze_events") == "bronze_events"


def test_clustering_is_cluster_by_auto_on_databricks():
    assert from_conf(databricks_conf()).clustering(["event_date"]) == {"cluster_by_auto": True}


def test_clustering_is_explicit_cluster_by_locally():
    rt = from_conf({LANDING_PATH_KEY: "landing"})

    assert rt.clustering(["user_key", "session_start"]) == {
        "cluster_by": ["user_key", "session_start"]
    }


def test_expect_all_is_identity_locally():
    def dataset():
        return "frame"

    assert from_conf({LANDING_PATH_KEY: "landing"}).expect_all(SILVER_RULES)(dataset) is dataset


def test_expect_all_declares_the_rules_with_dp_expect_all_on_databricks(monkeypatch):
    decorator = MagicMock(name="decorator")
    fake_expect_all = MagicMock(name="expect_all", return_value=decorator)
    monkeypatch.setattr(pyspark.pipelines, "expect_all", fake_expect_all, raising=False)

    result = from_conf(databricks_conf()).expect_all(SILVER_RULES)

    fake_expect_all.assert_called_once_with(SILVER_RULES)
    assert result is decorator


def test_read_raw_events_uses_auto_loader_on_databricks(monkeypatch):
    calls = []
    monkeypatch.setattr(
        bronze, "read_landing_with_auto_loader", lambda spark, path: calls.append(path) or "al"
    )

    assert from_conf(databricks_conf()).read_raw_events(MagicMock()) == "al"
    assert calls == [LANDING]


def test_read_raw_events_parses_file_stream_lines_locally(monkeypatch):
    monkeypatch.setattr(bronze, "read_landing_as_lines", lambda spark, path: f"lines of {path}")
    monkeypatch.setattr(bronze, "parse_raw_lines", lambda lines: f"parsed {lines}")

    assert from_conf({LANDING_PATH_KEY: "landing"}).read_raw_events(MagicMock()) == (
        "parsed lines of landing"
    )


def test_ingest_watermark_is_declared_in_sql_with_the_horizon():
    spark = MagicMock(name="spark")
    rt = from_conf({LANDING_PATH_KEY: "landing", DEDUPE_HORIZON_KEY: "12 hours"})

    rt.read_stream_with_ingest_watermark(spark, "bronze_events")

    spark.sql.assert_called_once_with(
        "SELECT * FROM STREAM(bronze_events) WATERMARK _ingested_at DELAY OF INTERVAL 12 hours"
    )


def test_current_reads_the_spark_configuration():
    conf = databricks_conf()
    spark = MagicMock(name="spark")
    spark.conf.get.side_effect = lambda key, default=None: conf.get(key, default)

    rt = runtime.current(spark)

    assert (rt.name, rt.landing_path, rt.pii_key) == ("databricks", LANDING, SECRET)


@pytest.mark.parametrize("missing", [None, "", "  "])
def test_databricks_requires_a_raw_schema_so_pii_never_lands_in_the_published_one(missing):
    with pytest.raises(PipelineConfigError, match=RAW_SCHEMA_KEY):
        from_conf(databricks_conf(**{RAW_SCHEMA_KEY: missing}))
