"""dashboards/ as an AI/BI (Lakeview) dashboard: datasets, widgets and fields that agree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from clickstream.contract import RAW_TABLES
from clickstream_cli.dashboard_definition import (
    DASHBOARD_DIR,
    DefinitionError,
    load,
    referenced_tables,
    serialized_dashboard,
    to_lakeview,
)

LAKEVIEW = json.loads(serialized_dashboard())
DATASETS = {d["name"]: d for d in LAKEVIEW["datasets"]}
WIDGETS = [item["widget"] for page in LAKEVIEW["pages"] for item in page["layout"]]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of dashboards/ to break."""
    return Path(shutil.copytree(DASHBOARD_DIR, tmp_path / "dashboards"))


def test_the_panels_the_team_asked_for_are_there():
    datasets = set(DATASETS)
    assert {
        "funnel",
        "daily_activity",
        "orders_revenue",
        "top_pages",
        "top_entry_pages",
        "quality_totals",
        "quality_rules",
    } <= datasets
    shown = {
        (w["queries"][0]["query"]["datasetName"], w["spec"]["encodings"]["y"]["fieldName"])
        for w in WIDGETS
    }
    assert {
        ("funnel", "events"),
        ("funnel", "step_conversion"),
        ("daily_activity", "active_users"),
        ("daily_activity", "sessions"),
        ("daily_activity", "session_conversion"),
        ("orders_revenue", "orders"),
        ("orders_revenue", "revenue"),
        ("top_pages", "page_views"),
        ("top_entry_pages", "sessions"),
        ("quality_totals", "rows"),
        ("quality_rules", "rows"),
    } <= shown


def test_every_dataset_has_a_name_a_display_name_and_query_lines():
    for dataset in LAKEVIEW["datasets"]:
        assert dataset["name"] and dataset["displayName"]
        assert dataset["queryLines"] and all(isinstance(x, str) for x in dataset["queryLines"])
        assert "".join(dataset["queryLines"]).lstrip().upper().startswith(("SELECT", "WITH"))


def test_every_widget_names_a_dataset_that_exists():
    for widget in WIDGETS:
        (query,) = widget["queries"]
        assert query["query"]["datasetName"] in DATASETS, widget["name"]


def test_every_widget_field_is_a_column_its_dataset_returns():
    declared = {name: set(ds.columns) for name, ds in load().datasets.items()}
    for widget in WIDGETS:
        query = widget["queries"][0]["query"]
        for field in query["fields"]:
            assert field["name"] in declared[query["datasetName"]], widget["name"]
            assert field["expression"] == f"`{field['name']}`"


def test_every_encoding_shows_a_field_of_its_widget_query():
    for widget in WIDGETS:
        names = {f["name"] for f in widget["queries"][0]["query"]["fields"]}
        for channel, encoding in widget["spec"]["encodings"].items():
            assert encoding["fieldName"] in names, (widget["name"], channel)


def test_widgets_are_version_3_charts_with_a_title():
    for widget in WIDGETS:
        spec = widget["spec"]
        assert (spec["widgetType"], spec["version"]) in {("bar", 3), ("line", 3)}
        assert spec["frame"] == {"showTitle": True, "title": spec["frame"]["title"]}
        assert spec["frame"]["title"]


def test_widgets_fit_the_six_column_grid_without_overlapping():
    for page in LAKEVIEW["pages"]:
        cells = set()
        for item in page["layout"]:
            p = item["position"]
            assert p["x"] >= 0 and p["x"] + p["width"] <= 6
            area = {
                (x, y)
                for x in range(p["x"], p["x"] + p["width"])
                for y in range(p["y"], p["y"] + p["height"])
            }
            assert not cells & area, item["widget"]["name"]
            cells |= area


def test_no_query_reads_a_raw_zone_table():
    for name, dataset in DATASETS.items():
        tables = referenced_tables("".join(dataset["queryLines"]))
        assert tables and not tables & set(RAW_TABLES), name


def test_queries_use_unqualified_names_so_the_stack_fills_in_catalog_and_schema():
    for dataset in DATASETS.values():
        assert all("." not in t for t in referenced_tables("".join(dataset["queryLines"])))


def test_serialization_is_stable():
    assert serialized_dashboard() == serialized_dashboard()


def test_referenced_tables_skips_cte_names_and_comments():
    sql = (
        "-- FROM bronze_events\nWITH t AS (SELECT * FROM gold_sessions) SELECT * FROM t "
        "JOIN `silver_events` s ON true"
    )
    assert referenced_tables(sql) == {"gold_sessions", "silver_events"}


def test_a_query_over_the_raw_zone_is_refused(folder):
    (folder / "datasets" / "top_pages.sql").write_text("SELECT 1 AS page_path FROM bronze_events")
    with pytest.raises(DefinitionError, match="bronze_events"):
        load(folder)


def test_a_widget_field_its_dataset_lacks_is_refused(folder):
    layout = folder / "layout.yml"
    layout.write_text(layout.read_text().replace("y: page_views", "y: page_hits"))
    with pytest.raises(DefinitionError, match="page_hits"):
        load(folder)


def test_a_widget_over_an_unknown_dataset_is_refused(folder):
    layout = folder / "layout.yml"
    layout.write_text(layout.read_text().replace("dataset: top_pages,", "dataset: nope,"))
    with pytest.raises(DefinitionError, match="nope"):
        load(folder)


def test_a_sql_file_without_a_declared_dataset_is_refused(folder):
    (folder / "datasets" / "extra.sql").write_text("SELECT 1 AS x FROM gold_sessions")
    with pytest.raises(DefinitionError, match="extra"):
        load(folder)


def test_the_file_header_comment_is_not_sent_as_query():
    funnel = to_lakeview(load())["datasets"][0]
    assert not funnel["queryLines"][0].startswith("--")
