"""The runtime adapter (clickstream.runtime): what differs between Databricks and a local run."""

from __future__ import annotations

import ast
from pathlib import Path
from unittest.mock import MagicMock

import pytest

from clickstream import runtime
from clickstream.runtime import (
    DEDUPE_HORIZON_KEY,
    DEVELOPMENT_PII_KEY,
    LANDING_PATH_KEY,
    PII_KEY_KEY,
    PII_KEY_NAME_KEY,
    PII_KEY_SCOPE_KEY,
    RAW_SCHEMA_KEY,
    RUNTIME_KEY,
    PipelineConfigError,
    from_conf,
)

LANDING = "abfss://landing@lake.dfs.core.windows.net/clickstream/"


def databricks_conf(**extra) -> dict:
    return {
        RUNTIME_KEY: "databricks",
        LANDING_PATH_KEY: LANDING,
        PII_KEY_SCOPE_KEY: "clickstream-dev",
        PII_KEY_NAME_KEY: "pii-hash-key",
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


@pytest.mark.parametrize("key", [PII_KEY_SCOPE_KEY, PII_KEY_NAME_KEY])
@pytest.mark.parametrize("missing", [None, "", "  "])
def test_databricks_requires_the_secret_scope_and_key_name(key, missing):
    with pytest.raises(PipelineConfigError, match=key):
        from_conf(databricks_conf(**{key: missing}))


def test_databricks_never_takes_the_key_from_configuration():
    rt = from_conf(databricks_conf(**{PII_KEY_KEY: "{{secrets/clickstream-dev/pii-hash-key}}"}))

    assert rt.pii_key is None
    assert (rt.pii_key_scope, rt.pii_key_name) == ("clickstream-dev", "pii-hash-key")


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


def test_clustering_is_cluster_by_auto_from_the_initial_keys_on_databricks():
    assert from_conf(databricks_conf()).clustering(["event_date"]) == {
        "cluster_by_auto": True,
        "cluster_by": ["event_date"],
    }


def test_clustering_is_explicit_cluster_by_locally():
    rt = from_conf({LANDING_PATH_KEY: "landing"})

    assert rt.clustering(["user_key", "session_start"]) == {
        "cluster_by": ["user_key", "session_start"]
    }


def test_current_reads_the_spark_configuration():
    conf = databricks_conf()
    spark = MagicMock(name="spark")
    spark.conf.get.side_effect = lambda key, default=None: conf.get(key, default)

    rt = runtime.current(spark)

    assert (rt.name, rt.landing_path, rt.pii_key_name) == ("databricks", LANDING, "pii-hash-key")


@pytest.mark.parametrize("missing", [None, "", "  "])
def test_databricks_requires_a_raw_schema_so_pii_never_lands_in_the_published_one(missing):
    with pytest.raises(PipelineConfigError, match=RAW_SCHEMA_KEY):
        from_conf(databricks_conf(**{RAW_SCHEMA_KEY: missing}))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize(
    "module", sorted(Path(runtime.__file__).parent.glob("*.py")), ids=lambda p: p.name
)
def test_logic_modules_declare_nothing_and_never_import_pipelines(module):
    assert not {n for n in _imported_modules(module) if "pipelines" in n}
