"""dashboards/ as an AI/BI (Lakeview) dashboard: datasets, widgets and fields that agree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from clickstream.contract import FUNNEL_STEPS, RAW_TABLES
from dashboards.definition import DASHBOARD_DIR, DefinitionError, load
from dashboards.lakeview import serialized_dashboard, to_lakeview
from dashboards.sql import referenced_tables

LAKEVIEW = json.loads(serialized_dashboard())
DATASETS = {d["name"]: d for d in LAKEVIEW["datasets"]}
WIDGETS = [item["widget"] for page in LAKEVIEW["pages"] for item in page["layout"]]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of dashboards/ to break."""
    return Path(shutil.copytree(DASHBOARD_DIR, tmp_path / "dashboards"))


def test_the_panels_the_team_asked_for_are_there():
    shown = {(w["queries"][0]["query"]["datasetName"], _y_field(w)) for w in WIDGETS}
    assert {
        ("headline", "sum(events)"),
        ("headline", "sum(people)"),
        ("headline", "sum(sessions)"),
        ("headline", "sum(session_conversion)"),
        ("headline", "sum(revenue)"),
        ("funnel", "events"),
        ("funnel", "overall_conversion"),
        ("daily_activity", "active_users"),
        ("daily_activity", "sessions"),
        ("daily_activity", "session_conversion"),
        ("daily_activity", "orders"),
        ("daily_activity", "revenue"),
        ("top_pages", "page_views"),
        ("top_entry_pages", "sessions"),
        ("quality_totals", "rows"),
        ("quality_rules", "rows"),
    } <= shown


def _y_field(widget: dict) -> str:
    encodings = widget["spec"]["encodings"]
    return (encodings.get("y") or encodings["value"])["fieldName"]


def test_the_first_page_opens_with_a_row_of_headline_counters():
    first_row = [item for item in LAKEVIEW["pages"][0]["layout"] if item["position"]["y"] == 0]
    assert [item["widget"]["spec"]["widgetType"] for item in first_row] == ["counter"] * 5


def test_counters_sum_the_one_row_of_their_dataset():
    counters = [w for w in WIDGETS if w["spec"]["widgetType"] == "counter"]
    for widget in counters:
        (field,) = widget["queries"][0]["query"]["fields"]
        assert widget["spec"]["encodings"]["value"]["fieldName"] == field["name"]
        assert field["expression"].startswith("SUM(`") and widget["spec"]["version"] == 2


def test_every_categorical_axis_says_how_it_is_sorted():
    for widget in WIDGETS:
        x = widget["spec"]["encodings"].get("x")
        if x and x["scale"]["type"] == "categorical":
            assert x["scale"]["sort"]["by"] in {"natural-order", "y-reversed"}, widget["name"]


def test_funnel_charts_sort_by_labels_that_start_with_the_step_number():
    funnel = [w for w in WIDGETS if w["queries"][0]["query"]["datasetName"] == "funnel"]
    assert funnel and all(
        w["spec"]["encodings"]["x"]
        == {
            "fieldName": "step_label",
            "scale": {"type": "categorical", "sort": {"by": "natural-order"}},
            "displayName": "step label",
        }
        for w in funnel
    )
    assert len(FUNNEL_STEPS) < 10  # one digit: "10. ..." would sort before "2. ..."


def test_top_n_charts_sort_largest_first():
    for name in ("top_pages", "top_entry_pages", "quality_rules"):
        (widget,) = [w for w in WIDGETS if w["name"] == name]
        assert widget["spec"]["encodings"]["x"]["scale"]["sort"] == {"by": "y-reversed"}


def test_daily_series_have_fixed_colours_for_whole_and_partial_days():
    for widget in WIDGETS:
        color = widget["spec"]["encodings"].get("color")
        if color and color["fieldName"] == "day":
            values = {m["value"] for m in color["scale"]["mappings"]}
            assert values == {"whole day", "partial day"}, widget["name"]


def test_ratios_are_formatted_as_percentages():
    for widget in WIDGETS:
        y = widget["spec"]["encodings"].get("y") or widget["spec"]["encodings"]["value"]
        if "conversion" in y["fieldName"]:
            assert y["format"]["type"] == "number-percent", widget["name"]


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
            if widget["spec"]["widgetType"] == "counter":  # sum(column) over a one-row dataset
                column = field["name"].removeprefix("sum(").removesuffix(")")
                assert field["expression"] == f"SUM(`{column}`)"
            else:
                column = field["name"]
                assert field["expression"] == f"`{column}`"
            assert column in declared[query["datasetName"]], widget["name"]


def test_every_encoding_shows_a_field_of_its_widget_query():
    for widget in WIDGETS:
        names = {f["name"] for f in widget["queries"][0]["query"]["fields"]}
        for channel, encoding in widget["spec"]["encodings"].items():
            assert encoding["fieldName"] in names, (widget["name"], channel)


def test_widgets_are_version_3_charts_or_version_2_counters_with_a_title():
    for widget in WIDGETS:
        spec = widget["spec"]
        assert (spec["widgetType"], spec["version"]) in {("bar", 3), ("line", 3), ("counter", 2)}
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


def test_contract_values_are_filled_into_the_queries():
    funnel = "".join(DATASETS["funnel"]["queryLines"])
    assert "${" not in funnel
    for step in FUNNEL_STEPS:
        assert f"'{step}'" in funnel


def test_a_placeholder_the_contract_lacks_is_refused(folder):
    (folder / "datasets" / "top_pages.sql").write_text(
        "SELECT ${NO_SUCH_NAME} AS page_path, 1 AS page_views FROM silver_events"
    )
    with pytest.raises(DefinitionError, match="NO_SUCH_NAME"):
        load(folder)


def test_a_categorical_axis_without_a_sort_is_refused(folder):
    layout = folder / "layout.yml"
    layout.write_text(
        layout.read_text().replace("y: page_views, sort: y-reversed", "y: page_views")
    )
    with pytest.raises(DefinitionError, match="top_pages: a categorical x axis needs"):
        load(folder)


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
