"""The PII key (clickstream.pii_key): the secret itself on Databricks, or nothing runs."""

from __future__ import annotations

import pytest

from clickstream import pii_key
from clickstream.runtime import DEVELOPMENT_PII_KEY, PipelineConfigError, Runtime

GOOD_KEY = "k3y-" + "x" * 40
DATABRICKS = Runtime(
    name="databricks", landing_path="abfss://l/", pii_key_scope="clickstream-dev",
    pii_key_name="pii-hash-key", raw_schema="raw",
)  # fmt: skip


def reader_of(value):
    calls = []

    def read(scope, key):
        calls.append((scope, key))
        return value

    read.calls = calls
    return read


def test_databricks_reads_the_key_from_the_configured_scope_and_name():
    read = reader_of(GOOD_KEY)

    assert pii_key.resolve(DATABRICKS, read) == GOOD_KEY
    assert read.calls == [("clickstream-dev", "pii-hash-key")]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("{{secrets/clickstream-dev/pii-hash-key}}", "unresolved", id="unresolved"),
        pytest.param("{{ secrets/s/k }}" + "x" * 40, "unresolved", id="unresolved-padded"),
        pytest.param("short-but-secret", "shorter than 32 bytes", id="short"),
        pytest.param("x" * 31, "shorter than 32 bytes", id="31-bytes"),
        pytest.param("", "empty", id="empty"),
        pytest.param(None, "empty", id="none"),
    ],
)
def test_a_key_that_cannot_be_the_secret_stops_the_pipeline(value, problem):
    with pytest.raises(PipelineConfigError, match=problem) as error:
        pii_key.resolve(DATABRICKS, reader_of(value))

    assert "clickstream-dev" in str(error.value) and "pii-hash-key" in str(error.value)
    if value:
        assert value not in str(error.value)


def test_a_32_byte_key_is_long_enough():
    assert pii_key.resolve(DATABRICKS, reader_of("é" * 16)) == "é" * 16  # 32 bytes in UTF-8


def test_an_unreadable_secret_stops_the_pipeline_without_its_value_or_cause_text():
    def refuse(scope, key):
        raise PermissionError(f"no READ on {scope}: the value was {GOOD_KEY}")

    with pytest.raises(PipelineConfigError, match="cannot read the PII key") as error:
        pii_key.resolve(DATABRICKS, refuse)

    assert "PermissionError" in str(error.value)
    assert GOOD_KEY not in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_without_an_injected_reader_dbutils_is_asked(monkeypatch):
    monkeypatch.setattr(pii_key, "read_databricks_secret", reader_of(GOOD_KEY))

    assert pii_key.resolve(DATABRICKS) == GOOD_KEY


def test_outside_databricks_dbutils_cannot_be_built_so_the_pipeline_stops(monkeypatch):
    # databricks.sdk.runtime builds a remote dbutils off Databricks, which needs credentials.
    for name in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CONFIG_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/databrickscfg")

    with pytest.raises(PipelineConfigError, match="cannot read the PII key"):
        pii_key.resolve(DATABRICKS)


def test_local_runs_use_the_configured_key_unchecked():
    local = Runtime(name="local", landing_path="landing", pii_key="from-env")

    assert pii_key.resolve(local, reader_of("never read")) == "from-env"


def test_local_runs_default_to_the_marked_development_key():
    from clickstream.runtime import from_conf

    assert pii_key.resolve(from_conf({"clickstream.landing_path": "l"})) == DEVELOPMENT_PII_KEY
