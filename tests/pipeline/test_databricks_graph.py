"""The pipeline graph the transformation files declare on Databricks, with no workspace.

Every file under ``pipeline/transformations`` is imported the way a pipeline runner imports it
(``spark`` injected as a global), with ``clickstream.runtime=databricks`` in the configuration and
the ``pyspark.pipelines`` functions replaced by recorders. The tests pin what Databricks receives:
table names and schemas, expectations, clustering, Auto Loader, AUTO CDC.
"""

from __future__ import annotations

import pytest
from dp_graph import load_graph

from clickstream import runtime
from clickstream.bronze import AUTO_LOADER_OPTIONS
from clickstream.rules import SILVER_RULES

RAW = "clickstream_dlt_raw"
CONF = {
    runtime.RUNTIME_KEY: "databricks",
    runtime.LANDING_PATH_KEY: "abfss://landing@lake.dfs.core.windows.net/clickstream/",
    runtime.PII_KEY_KEY: "{{secrets/clickstream-dev/pii-hash-key}}",
    runtime.RAW_SCHEMA_KEY: RAW,
}
LOCAL_CONF = {runtime.LANDING_PATH_KEY: "landing"}


@pytest.fixture
def graph(monkeypatch, spark):  # the real session makes Column expressions buildable
    return load_graph(monkeypatch, CONF)


@pytest.fixture
def local_graph(monkeypatch, spark):
    return load_graph(monkeypatch, LOCAL_CONF)


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


def test_local_graph_declares_no_expectations_and_the_same_checked_view(local_graph):
    assert local_graph.expectations == {}
    assert local_graph.datasets["bronze_events_checked"]["kind"] == "temporary_view"


def test_local_graph_keeps_every_table_unqualified(local_graph):
    assert {"bronze_events", "silver_events", "silver_quarantine"} <= set(local_graph.datasets)
