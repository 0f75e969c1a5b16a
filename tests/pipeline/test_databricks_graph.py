"""The pipeline graph the transformation files declare on Databricks, with no workspace.

Every file under ``pipeline/transformations`` is imported the way a pipeline runner imports it
(``spark`` injected as a global), with ``clickstream.runtime=databricks`` in the configuration and
the ``pyspark.pipelines`` functions replaced by recorders. The tests pin what Databricks receives:
table names and schemas, expectations, clustering, Auto Loader, AUTO CDC.
"""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from dp_graph import load_graph
from pyspark import pipelines as dp

from clickstream import pii_key, runtime
from clickstream.bronze_events import AUTO_LOADER_OPTIONS
from clickstream.contract import (
    FULL_REFRESH_VIEWS,
    GOLD_DAILY_COUNTS,
    GOLD_DAILY_IDENTITIES,
    GOLD_IDENTITY_LINKS,
    GOLD_QUALITY_COUNTS,
    GOLD_SESSION_STARTS,
    IDENTITY_INPUT_COLUMNS,
    SESSION_COLUMNS,
)
from clickstream.gold_sessions import build_sessions, link_records
from clickstream.gold_sessions_incremental import SessionsChange
from clickstream.gold_sessions_sink import merge_links_sql, merge_sessions_sql
from clickstream.rules import SILVER_RULES, null_safe
from clickstream.schema import SILVER_SCHEMA
from clickstream.silver_events import SILVER_SPARK_CONF

RAW = "clickstream_dlt_raw"
CONF = {
    runtime.RUNTIME_KEY: "databricks",
    runtime.LANDING_PATH_KEY: "abfss://landing@lake.dfs.core.windows.net/clickstream/",
    runtime.PII_KEY_SCOPE_KEY: "clickstream-dev",
    runtime.PII_KEY_NAME_KEY: "pii-hash-key",
    runtime.RAW_SCHEMA_KEY: RAW,
}
SECRET = "a-secret-of-more-than-thirty-two-bytes-for-tests"
LOCAL_CONF = {runtime.LANDING_PATH_KEY: "landing"}


@pytest.fixture
def graph(monkeypatch, spark):  # the real session makes Column expressions buildable
    monkeypatch.setattr(pii_key, "read_databricks_secret", lambda scope, key: SECRET)
    return load_graph(monkeypatch, CONF)


@pytest.fixture
def local_graph(monkeypatch, spark):
    return load_graph(monkeypatch, LOCAL_CONF)


def test_bronze_and_quarantine_live_in_the_raw_schema(graph):
    assert f"{RAW}.bronze_events" in graph.datasets
    assert f"{RAW}.silver_quarantine" in graph.datasets
    assert "silver_events" in graph.datasets  # the published schema (the pipeline's default)


def test_rules_are_declared_null_safe_once_on_bronze_where_they_are_evaluated(graph):
    bronze = f"{RAW}.bronze_events"

    assert graph.expectations == {bronze: null_safe(SILVER_RULES)}
    assert graph.datasets[bronze]["kind"] == "table"


def test_raw_rows_are_written_once_no_checked_copy_of_bronze(graph):
    raw = {name for name in graph.datasets if name.startswith(f"{RAW}.")}

    assert raw == {f"{RAW}.bronze_events", f"{RAW}.silver_quarantine"}


def test_the_quarantine_reads_bronze_skipping_retention_and_erasure_commits(graph):
    graph.queries[f"{RAW}.silver_quarantine"]()

    read = graph.spark.readStream
    read.options.assert_called_once_with(skipChangeCommits="true")
    read.options.return_value.table.assert_called_once_with(f"{RAW}.bronze_events")


def test_silver_reads_bronze_in_event_time_order_with_the_watermark(graph):
    graph.queries["silver_events"]()

    read = graph.spark.readStream
    read.options.assert_called_once_with(withEventTimeOrder="true", skipChangeCommits="true")
    read.options.return_value.table.assert_called_once_with(f"{RAW}.bronze_events")
    read.options.return_value.table.return_value.withWatermark.assert_called_once_with(
        "_ingested_at", "3 days"
    )


def test_the_local_quarantine_reads_bronze_without_delta_options(local_graph):
    local_graph.queries["silver_quarantine"]()

    read = local_graph.spark.readStream
    read.table.assert_called_once_with("bronze_events")
    read.options.assert_not_called()


def test_bronze_reads_the_landing_path_as_text_lines_with_auto_loader(graph):
    graph.queries[f"{RAW}.bronze_events"]()

    read_stream = graph.spark.readStream
    read_stream.format.assert_called_once_with("cloudFiles")
    reader = read_stream.format.return_value
    reader.options.assert_called_once_with(**AUTO_LOADER_OPTIONS)
    assert reader.options.call_args.kwargs["cloudFiles.format"] == "text"
    reader.options.return_value.load.assert_called_once_with(CONF[runtime.LANDING_PATH_KEY])


def test_gold_tables_ask_for_automatic_clustering_from_initial_keys(graph):
    assert graph.datasets["gold_daily_metrics"]["cluster_by"] == ["event_date"]
    assert graph.datasets["gold_daily_metrics"]["cluster_by_auto"] is True
    (table,) = graph.called("create_streaming_table")
    assert table["name"] == "gold_dim_users" and table["cluster_by_auto"] is True
    assert table["cluster_by"] == ["user_key"]


def test_dim_users_changes_stream_silver_skipping_the_erasure_commits(graph):
    graph.queries["gold_dim_users_changes"]()

    read = graph.spark.readStream
    read.options.assert_called_once_with(skipChangeCommits="true")
    read.options.return_value.table.assert_called_once_with("silver_events")


def test_dim_users_is_an_auto_cdc_scd2_flow_sequenced_without_ties(graph):
    (flow,) = graph.called("create_auto_cdc_flow")
    assert graph.datasets[flow["source"]]["kind"] == "temporary_view"
    # The sequence is a column of the change view: struct(event_ts, event_id), unique per event,
    # so AUTO CDC never breaks a tie arbitrarily. No ignore_null_updates: its default (false)
    # lets a null replace a value, as the local SCD2 does.
    assert flow == {
        "target": "gold_dim_users",
        "source": "gold_dim_users_changes",
        "keys": ["user_key"],
        "sequence_by": "change_sequence",
        "except_column_list": ["change_sequence"],
        "stored_as_scd_type": 2,
        "track_history_column_list": ["plan", "country", "email_hash"],
    }


def test_a_short_pii_key_stops_the_databricks_graph(monkeypatch, spark):
    monkeypatch.setattr(pii_key, "read_databricks_secret", lambda scope, key: "too-short")

    with pytest.raises(runtime.PipelineConfigError, match="shorter than 32 bytes"):
        load_graph(monkeypatch, CONF, "silver_events")


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("table", {"name": "t", "coment": "typo"}),
        ("materialized_view", {"name": "t", "cluster_by_automatic": True}),
        ("temporary_view", {"name": "v", "table_properties": {}}),
        ("create_streaming_table", {"name": "t", "clusterby": ["k"]}),
        ("create_auto_cdc_flow", {"target": "t", "source": "s", "keys": ["k"],
                                  "sequence_by": "ts", "except_columns": ["ts"]}),
        ("append_flow", {"target": "t", "nmae": "f"}),
    ],
)  # fmt: skip
def test_the_fake_dp_rejects_an_argument_databricks_does_not_document(graph, call, kwargs):
    with pytest.raises(TypeError, match="unexpected keyword"):
        getattr(dp, call)(**kwargs)


@pytest.mark.parametrize(
    ("call", "args"),
    [("expect", ("only-a-description",)), ("expect_all", ({"r": "x"}, "extra"))],
)
def test_the_fake_expectations_take_their_documented_arguments_only(graph, call, args):
    with pytest.raises(TypeError):
        getattr(dp, call)(*args)


def test_the_local_graph_may_not_use_databricks_only_arguments(local_graph):
    with pytest.raises(TypeError, match="cluster_by_auto"):
        dp.materialized_view(name="t", cluster_by_auto=True)
    assert not hasattr(dp, "expect_all")


def test_every_table_says_what_it_is(graph):
    for name, dataset in graph.datasets.items():
        assert dataset.get("comment"), name
        if dataset["kind"] != "temporary_view":
            assert dataset["table_properties"]["quality"] in {
                "bronze",
                "silver",
                "quarantine",
                "gold",
            }, name


def test_local_graph_declares_no_expectations(local_graph):
    assert local_graph.expectations == {}


def test_the_local_speed_setting_of_silver_is_not_sent_to_databricks(graph, local_graph):
    assert graph.datasets["silver_events"].get("spark_conf") is None
    assert local_graph.datasets["silver_events"]["spark_conf"] == SILVER_SPARK_CONF


def test_local_silver_declares_the_watermark_in_sql_on_bronze(local_graph):
    local_graph.queries["silver_events"]()

    local_graph.spark.sql.assert_called_once_with(
        "SELECT * FROM STREAM(bronze_events) WATERMARK _ingested_at DELAY OF INTERVAL 3 days"
    )


def test_local_graph_keeps_every_table_unqualified(local_graph):
    assert {"bronze_events", "silver_events", "silver_quarantine"} <= set(local_graph.datasets)


def test_quality_counts_are_published_and_count_from_the_ledger_and_silver(monkeypatch, spark):
    monkeypatch.setattr("clickstream.gold_quality_daily.quality_counts", lambda *frames: frames)
    graph = load_graph(monkeypatch, CONF, "gold_quality_counts")

    graph.queries["gold_quality_counts"]()

    table = graph.datasets["gold_quality_counts"]  # unqualified: the published schema
    assert table["table_properties"] == {"quality": "gold"}
    assert table["cluster_by_auto"] is True
    read = [c.args[0] for c in graph.spark.read.table.call_args_list]
    assert read == ["gold_quality_ledger", "silver_events"]  # no raw table: survives retention


def test_the_quality_ledger_streams_bronze_skipping_retention_and_erasure_commits(graph):
    graph.queries["gold_quality_ledger"]()

    read = graph.spark.readStream
    read.options.assert_called_once_with(skipChangeCommits="true")
    read.options.return_value.table.assert_called_once_with(f"{RAW}.bronze_events")


def test_the_quality_ledger_is_a_published_table_kept_out_of_full_refreshes(graph):
    ledger = graph.datasets["gold_quality_ledger"]  # unqualified: the published schema

    assert ledger["kind"] == "table"
    assert ledger["table_properties"]["pipelines.reset.allowed"] == "false"
    assert ledger["table_properties"]["delta.enableRowTracking"] == "true"  # read incrementally
    assert ledger["cluster_by_auto"] is True


def test_the_local_quality_ledger_streams_bronze_without_delta_options(local_graph):
    local_graph.queries["gold_quality_ledger"]()

    read = local_graph.spark.readStream
    read.table.assert_called_once_with("bronze_events")
    read.options.assert_not_called()


INCREMENTAL_VIEWS = (
    GOLD_IDENTITY_LINKS, GOLD_SESSION_STARTS, GOLD_DAILY_IDENTITIES, GOLD_DAILY_COUNTS,
    GOLD_QUALITY_COUNTS,
)  # fmt: skip


def test_incremental_gold_views_fall_back_only_as_the_stack_allows(graph):
    for name in INCREMENTAL_VIEWS:
        assert graph.datasets[name]["refresh_policy"] == "incremental", name


def test_a_strict_stack_makes_every_fallback_a_failure(monkeypatch, spark):
    monkeypatch.setattr(pii_key, "read_databricks_secret", lambda scope, key: SECRET)
    strict = load_graph(monkeypatch, {**CONF, runtime.REFRESH_POLICY_KEY: "incremental_strict"})

    for name in INCREMENTAL_VIEWS:
        assert strict.datasets[name]["refresh_policy"] == "incremental_strict", name


def test_views_over_one_row_per_day_are_declared_full_refresh(graph):
    for name in FULL_REFRESH_VIEWS:
        assert graph.datasets[name]["refresh_policy"] == "full", name


def test_no_gold_materialized_view_is_left_to_the_quiet_auto_policy(graph):
    views = [n for n, d in graph.datasets.items() if d["kind"] == "materialized_view"]
    assert set(views) >= {*INCREMENTAL_VIEWS, *FULL_REFRESH_VIEWS}
    for name in views:
        if name != "gold_sessions":  # its incremental path is issue #30's
            assert graph.datasets[name].get("refresh_policy") in {"incremental", "full"}, name


def test_an_unknown_refresh_policy_stops_the_pipeline():
    with pytest.raises(runtime.PipelineConfigError, match="refresh_policy"):
        runtime.from_conf({**CONF, runtime.REFRESH_POLICY_KEY: "incremental-strict"})


def test_tables_gold_views_read_incrementally_have_row_tracking(graph):
    for name in ("silver_events", f"{RAW}.bronze_events", f"{RAW}.silver_quarantine"):
        properties = graph.datasets[name]["table_properties"]
        assert properties["delta.enableRowTracking"] == "true", name


def test_silver_is_clustered_for_golds_reads_on_both_platforms(graph, local_graph):
    for g in (graph, local_graph):
        assert g.datasets["silver_events"]["cluster_by"] == ["event_date", "user_key"]


def test_auto_loader_discovers_files_from_managed_file_events(graph):
    graph.queries[f"{RAW}.bronze_events"]()

    options = graph.spark.readStream.format.return_value.options.call_args.kwargs
    assert options["cloudFiles.useManagedFileEvents"] == "true"


def test_the_local_graph_declares_no_refresh_policy_or_delta_property(local_graph):
    for name, dataset in local_graph.datasets.items():
        assert "refresh_policy" not in dataset, name
        assert not any(k.startswith("delta.") for k in dataset.get("table_properties", {})), name


def test_the_fake_dp_rejects_an_undocumented_refresh_policy(graph):
    with pytest.raises(ValueError, match="refresh_policy"):
        dp.materialized_view(name="t", refresh_policy="INCREMENTAL STRICT")


def test_sessions_are_written_by_a_foreach_batch_sink_not_a_view(graph):
    assert "gold_sessions" not in graph.datasets  # the sink's handler owns the table
    assert set(graph.sinks) == {"gold_sessions_sink"}


def test_the_sessions_sink_is_fed_by_an_append_flow_streaming_silver(graph):
    (flow,) = graph.called("append_flow")
    assert flow["target"] == "gold_sessions_sink"

    graph.flows[flow["name"]]()

    read = graph.spark.readStream
    read.options.assert_called_once_with(skipChangeCommits="true")  # erasure deletes Silver rows
    read.options.return_value.table.assert_called_once_with("silver_events")
    read.option.assert_not_called()  # no starting version
    read.options.return_value.table.return_value.select.assert_called_once_with(
        *IDENTITY_INPUT_COLUMNS
    )


def test_the_local_graph_keeps_sessions_a_full_recompute_view(local_graph):
    assert local_graph.datasets["gold_sessions"]["kind"] == "materialized_view"
    assert local_graph.sinks == {} and local_graph.called("append_flow") == []
    assert not hasattr(dp, "foreach_batch_sink")


def test_the_fake_sink_takes_a_name_and_a_handler_of_df_and_batch_id(graph):
    with pytest.raises(TypeError, match="unexpected keyword"):
        dp.foreach_batch_sink(name="s", target="t")
    with pytest.raises(TypeError, match="df, batch_id"):
        dp.foreach_batch_sink(name="s")(lambda df: None)


def sink_call(graph, monkeypatch, batch_id):
    """Call the sessions sink's handler for one batch; returns the handler's Spark session."""
    from clickstream import gold_sessions_sink

    monkeypatch.setattr(
        gold_sessions_sink, "build_sessions", lambda silver: ("sessions of", silver)
    )
    monkeypatch.setattr(gold_sessions_sink, "link_records", lambda silver: ("links of", silver))
    batch = MagicMock(name="batch")
    graph.sinks["gold_sessions_sink"](batch, batch_id)
    return batch.sparkSession


def test_batch_zero_replaces_sessions_and_links_with_the_full_recompute(graph, monkeypatch):
    replaced = []
    monkeypatch.setattr(
        "clickstream.gold_sessions_sink._replace",
        lambda frame, table, keys: replaced.append((frame[0], table, keys)),
    )

    spark = sink_call(graph, monkeypatch, batch_id=0)

    spark.read.table.assert_called_once_with("silver_events")
    assert replaced == [
        ("sessions of", "gold_sessions", ("user_key", "session_start")),
        ("links of", "gold_session_links", ("user_key",)),
    ]
    spark.sql.assert_not_called()


def test_a_batch_that_changes_no_session_merges_only_the_links(graph, monkeypatch, spark):
    nothing = spark.createDataFrame([], "session_id string, user_key string")
    change = SessionsChange(nothing, nothing, nothing, {}, since_micros=None)
    monkeypatch.setattr("clickstream.gold_sessions_sink.apply_sessions_batch", lambda *f: change)

    handler_spark = sink_call(graph, monkeypatch, batch_id=3)

    (links_merge,) = handler_spark.sql.call_args_list
    assert links_merge.args == (merge_links_sql("gold_session_links"),)


def test_a_later_batch_merges_sessions_then_links(graph, monkeypatch, spark):
    empty = spark.createDataFrame([], "session_id string, user_key string")
    upserts = build_sessions(spark.createDataFrame([], SILVER_SCHEMA))
    links = link_records(spark.createDataFrame([], SILVER_SCHEMA))
    change = SessionsChange(upserts, empty, links, {}, since_micros=1_714_554_000_000_000)
    seen = []
    monkeypatch.setattr(
        "clickstream.gold_sessions_sink.apply_sessions_batch",
        lambda *frames: seen.append(frames) or change,
    )

    handler_spark = sink_call(graph, monkeypatch, batch_id=7)

    read = [c.args[0] for c in handler_spark.read.table.call_args_list]
    assert read == ["silver_events", "gold_sessions", "gold_session_links"]
    (sessions_merge, links_merge) = handler_spark.sql.call_args_list
    assert sessions_merge.args == (merge_sessions_sql("gold_sessions", change.since_micros),)
    assert sessions_merge.kwargs["changes"].columns == [*SESSION_COLUMNS, "_deleted"]
    assert links_merge.args == (merge_links_sql("gold_session_links"),)
    assert links_merge.kwargs["changes"] is links


@pytest.mark.parametrize("sql", [merge_sessions_sql("gold_sessions", 0), merge_links_sql("l")])
def test_the_merge_statements_parse_as_spark_sql(spark, sql):
    parser = spark._jsparkSession.sessionState().sqlParser()

    plan = parser.parsePlan(sql.format(changes="changes")).toString()

    assert plan.startswith("'MergeIntoTable")


def test_the_sessions_merge_deletes_marked_rows_and_inserts_only_unmarked_ones():
    sql = merge_sessions_sql("gold_sessions", 1_714_554_000_000_000)

    assert (
        "ON t.session_id = s.session_id AND t.user_key = s.user_key"
        " AND t.session_start >= timestamp_micros(1714554000000000)"
    ) in sql
    assert "WHEN MATCHED AND s._deleted THEN DELETE" in sql
    assert "WHEN NOT MATCHED AND NOT s._deleted THEN INSERT" in sql
