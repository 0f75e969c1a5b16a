"""The pipeline graph the transformation files declare on Databricks, with no workspace.

Every file under ``pipeline/transformations`` is imported the way a pipeline runner imports it
(``spark`` injected as a global), with ``clickstream.runtime=databricks`` in the configuration and
the ``pyspark.pipelines`` functions replaced by recorders. The tests pin what Databricks receives:
table names and schemas, expectations, clustering, Auto Loader, AUTO CDC.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from unittest.mock import MagicMock

import pytest
from pyspark import pipelines as dp

from clickstream import runtime
from clickstream.bronze import AUTO_LOADER_OPTIONS
from clickstream.rules import SILVER_RULES

TRANSFORMATIONS = Path(__file__).resolve().parents[2] / "pipeline" / "transformations"
RAW = "clickstream_dlt_raw"
CONF = {
    runtime.RUNTIME_KEY: "databricks",
    runtime.LANDING_PATH_KEY: "abfss://landing@lake.dfs.core.windows.net/clickstream/",
    runtime.PII_KEY_KEY: "{{secrets/clickstream-dev/pii-hash-key}}",
    runtime.RAW_SCHEMA_KEY: RAW,
}


class Graph:
    """Records what the transformation files declare through ``pyspark.pipelines``."""

    def __init__(self, monkeypatch) -> None:
        self.datasets: dict[str, dict] = {}
        self.queries: dict[str, object] = {}
        self.expectations: dict[str, dict] = {}
        self.calls: list[tuple[str, dict]] = []
        for kind in ("table", "materialized_view", "temporary_view"):
            monkeypatch.setattr(dp, kind, self._decorator(kind))
        for name in ("create_streaming_table", "create_auto_cdc_flow"):
            monkeypatch.setattr(dp, name, self._call(name))
        monkeypatch.setattr(dp, "expect_all", self._expect_all, raising=False)

    def _decorator(self, kind):
        def decorator(**kwargs):
            def register(function):
                name = kwargs["name"]
                self.datasets[name] = {"kind": kind, **kwargs}
                self.queries[name] = function
                if getattr(function, "_expectations", None):
                    self.expectations[name] = function._expectations
                return None

            return register

        return decorator

    def _call(self, name):
        def record(**kwargs):
            self.calls.append((name, kwargs))

        return record

    def _expect_all(self, rules):
        def mark(function):
            function._expectations = dict(rules)
            return function

        return mark


def _fake_spark() -> MagicMock:
    spark = MagicMock(name="spark")
    spark.conf.get.side_effect = lambda key, default=None: CONF.get(key, default)
    return spark


@pytest.fixture
def graph(monkeypatch, spark):  # the real session makes Column expressions buildable
    recorded = Graph(monkeypatch)
    fake = _fake_spark()
    for path in sorted(TRANSFORMATIONS.glob("*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        module.__dict__["spark"] = fake
        spec.loader.exec_module(module)
    recorded.spark = fake
    return recorded


def test_bronze_and_quarantine_live_in_the_raw_schema(graph):
    assert f"{RAW}.bronze_events" in graph.datasets
    assert f"{RAW}.silver_quarantine" in graph.datasets
    assert "silver_events" in graph.datasets  # the published schema (the pipeline's default)


def test_silver_rules_are_declared_as_expectations_on_the_checked_view(graph):
    assert graph.expectations == {"bronze_events_checked": SILVER_RULES}
    assert graph.datasets["bronze_events_checked"]["kind"] == "temporary_view"


def test_bronze_reads_the_landing_path_with_auto_loader(graph):
    graph.queries[f"{RAW}.bronze_events"]()

    read_stream = graph.spark.readStream
    read_stream.format.assert_called_once_with("cloudFiles")
    reader = read_stream.format.return_value.schema.return_value
    chained = []
    while reader.option.called:
        chained.append(reader.option.call_args.args)
        reader = reader.option.return_value
    assert dict(chained) == {k: AUTO_LOADER_OPTIONS[k] for k, _ in chained}
    assert len(chained) == len(AUTO_LOADER_OPTIONS)
    reader.load.assert_called_once_with(CONF[runtime.LANDING_PATH_KEY])


def test_gold_tables_ask_for_automatic_clustering(graph):
    for name in ("gold_sessions", "gold_daily_metrics"):
        assert graph.datasets[name]["cluster_by_auto"] is True
        assert "cluster_by" not in graph.datasets[name]
    (table,) = [kw for call, kw in graph.calls if call == "create_streaming_table"]
    assert table["name"] == "gold_dim_users" and table["cluster_by_auto"] is True


def test_dim_users_is_an_auto_cdc_scd2_flow(graph):
    (flow,) = [kw for call, kw in graph.calls if call == "create_auto_cdc_flow"]
    assert flow["target"] == "gold_dim_users"
    assert flow["stored_as_scd_type"] == 2
    assert flow["keys"] == ["user_key"]
    assert flow["sequence_by"] == "event_ts"
    assert flow["track_history_column_list"] == ["plan", "country", "email_hash"]


def test_every_table_says_what_it_is(graph):
    for name, dataset in graph.datasets.items():
        assert dataset.get("comment"), name
        if dataset["kind"] != "temporary_view":
            assert dataset["table_properties"]["quality"] in {
                "bronze", "silver", "quarantine", "gold"
            }, name
