"""Bronze: raw lines kept as they came (clickstream.bronze), locally and via Auto Loader."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from unittest.mock import MagicMock

import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import StringType
from pyspark.testing import assertDataFrameEqual

from clickstream import bronze, runtime
from clickstream.bronze import (
    AUTO_LOADER_CORRUPT_COLUMN,
    AUTO_LOADER_OPTIONS,
    AUTO_LOADER_SCHEMA,
    conform_auto_loaded,
    parse_raw_lines,
    read_landing_with_auto_loader,
)
from clickstream.contract import (
    CORRUPT_RECORD_KEY,
    INGESTED_AT,
    RESCUED_DATA,
    SEGMENT_FIELDS,
    SOURCE_FILE,
)
from clickstream.schema import BRONZE_SCHEMA

INGESTED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
FILE = "landing/clickstream/part-0001.jsonl"


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def lines_frame(spark, *lines: str):
    return spark.createDataFrame(
        [(line, FILE, INGESTED) for line in lines],
        f"value string, {SOURCE_FILE} string, {INGESTED_AT} timestamp",
    )


def bronze_rows(spark, rows: list[dict]):
    """Expected Bronze rows: dicts of the non-null fields."""
    names = BRONZE_SCHEMA.fieldNames()
    full = [
        {**{n: None for n in names}, SOURCE_FILE: FILE, INGESTED_AT: INGESTED, **r} for r in rows
    ]
    return spark.createDataFrame([tuple(r[n] for n in names) for r in full], BRONZE_SCHEMA)


# --- parse_raw_lines (local) ---------------------------------------------------------------


def test_valid_line_gives_each_segment_field_as_a_string(spark):
    context = {"ip": "203.0.113.9", "page": {"url": "https://shop.example/", "path": "/"}}
    properties = {"price": 9.5, "tags": ["a", "b"]}
    traits = {"email": "ada@example.com", "plan": "pro"}
    event = {
        "messageId": "m1", "type": "track", "event": "Product Viewed", "name": "Home",
        "userId": "u1", "anonymousId": "a1", "timestamp": "2024-05-01T10:00:00Z",
        "originalTimestamp": "2024-05-01T09:59:59Z", "sentAt": "2024-05-01T10:00:01Z",
        "receivedAt": "2024-05-01T10:00:02Z", "context": context, "properties": properties,
        "traits": traits,
    }  # fmt: skip

    actual = parse_raw_lines(lines_frame(spark, compact(event)))

    expected = {k: (compact(v) if isinstance(v, dict) else v) for k, v in event.items()}
    assert set(expected) == set(SEGMENT_FIELDS)
    assertDataFrameEqual(actual, bronze_rows(spark, [expected]))


def test_output_has_the_bronze_schema(spark):
    actual = parse_raw_lines(lines_frame(spark, '{"messageId":"m1"}'))

    assert [(f.name, f.dataType) for f in actual.schema] == [
        (f.name, f.dataType) for f in BRONZE_SCHEMA
    ]


def test_numbers_and_booleans_become_strings(spark):
    actual = parse_raw_lines(lines_frame(spark, '{"messageId":42,"type":true,"event":1.5}'))

    expected = bronze_rows(spark, [{"messageId": "42", "type": "true", "event": "1.5"}])
    assertDataFrameEqual(actual, expected)


def test_unknown_top_level_fields_land_in_rescued_data_as_json(spark):
    line = '{"messageId":"m1","type":"page","newField":"x","version":2,"extra":{"a":1}}'

    actual = parse_raw_lines(lines_frame(spark, line)).first()

    assert json.loads(actual[RESCUED_DATA]) == {
        "newField": "x", "version": "2", "extra": '{"a":1}'
    }  # fmt: skip
    assert (actual.messageId, actual.type) == ("m1", "page")


def test_known_fields_only_leave_rescued_data_null(spark):
    actual = parse_raw_lines(lines_frame(spark, '{"messageId":"m1","type":"page"}')).first()

    assert actual[RESCUED_DATA] is None


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("this is not json", id="garbage"),
        pytest.param('{"messageId":"m1","type":"pa', id="truncated-json"),
        pytest.param("{'messageId':'m1','type':'page'}", id="single-quoted-pseudo-json"),
        pytest.param('[{"messageId":"m1"}]', id="json-array"),
        pytest.param('"just a string"', id="json-scalar"),
        pytest.param("", id="blank-line"),
        pytest.param("   ", id="whitespace-line"),
    ],
)
def test_malformed_line_is_kept_whole_in_rescued_data(spark, line):
    actual = parse_raw_lines(lines_frame(spark, line))

    expected = bronze_rows(spark, [{RESCUED_DATA: compact({CORRUPT_RECORD_KEY: line})}])
    assertDataFrameEqual(actual, expected)


def test_nothing_is_filtered(spark):
    lines = ['{"messageId":"m1"}', "garbage", "", '{"messageId":"m1"}', "[1]", "{}"]

    actual = parse_raw_lines(lines_frame(spark, *lines))

    assert actual.count() == len(lines)


def test_source_file_and_ingestion_time_pass_through(spark):
    actual = parse_raw_lines(lines_frame(spark, "garbage", '{"messageId":"m1"}'))

    expected = spark.createDataFrame(
        [(FILE, INGESTED)] * 2, f"{SOURCE_FILE} string, {INGESTED_AT} timestamp"
    )
    assertDataFrameEqual(actual.select(SOURCE_FILE, INGESTED_AT), expected)


# --- conform_auto_loaded (Databricks Auto Loader shaping) ----------------------------------

# What Auto Loader gives with the explicit schema and the options below: the Segment fields as
# strings, the corrupt-record column, the rescued-data column, then the ingestion columns.
AUTO_LOADED_NAMES = [*AUTO_LOADER_SCHEMA.fieldNames(), RESCUED_DATA, SOURCE_FILE, INGESTED_AT]
AUTO_LOADED_SCHEMA = (
    ", ".join(f"`{n}` string" for n in AUTO_LOADED_NAMES[:-1]) + f", {INGESTED_AT} timestamp"
)


def auto_loaded(spark, rows: list[dict]):
    defaults = {SOURCE_FILE: FILE, INGESTED_AT: INGESTED}
    data = [tuple({**defaults, **r}.get(n) for n in AUTO_LOADED_NAMES) for r in rows]
    return spark.createDataFrame(data, AUTO_LOADED_SCHEMA)


def test_auto_loader_schema_is_every_segment_field_as_string_plus_corrupt_record():
    assert AUTO_LOADER_SCHEMA.fieldNames() == [*SEGMENT_FIELDS, AUTO_LOADER_CORRUPT_COLUMN]
    assert {f.dataType for f in AUTO_LOADER_SCHEMA} == {StringType()}


def test_rescued_json_from_auto_loader_is_kept(spark):
    frame = auto_loaded(spark, [{"messageId": "m1", RESCUED_DATA: '{"newField":"x"}'}])

    actual = conform_auto_loaded(frame)

    expected = bronze_rows(spark, [{"messageId": "m1", RESCUED_DATA: '{"newField":"x"}'}])
    assertDataFrameEqual(actual, expected)


def test_corrupt_record_becomes_corrupt_record_json(spark):
    frame = auto_loaded(spark, [{AUTO_LOADER_CORRUPT_COLUMN: "not json {"}])

    actual = conform_auto_loaded(frame)

    expected = bronze_rows(spark, [{RESCUED_DATA: compact({CORRUPT_RECORD_KEY: "not json {"})}])
    assertDataFrameEqual(actual, expected)


def test_columns_outside_the_contract_are_not_passed_through(spark):
    frame = auto_loaded(spark, [{"messageId": "m1"}]).select("*", F.lit("x").alias("inferred"))

    actual = conform_auto_loaded(frame)

    assert "inferred" not in actual.columns
    assert AUTO_LOADER_CORRUPT_COLUMN not in actual.columns


def test_auto_loaded_columns_equal_local_columns_exactly(spark):
    local = parse_raw_lines(lines_frame(spark, '{"messageId":"m1"}'))

    databricks = conform_auto_loaded(auto_loaded(spark, [{"messageId": "m1"}]))

    assert [(f.name, f.dataType) for f in databricks.schema] == [
        (f.name, f.dataType) for f in local.schema
    ]


def test_auto_loaded_rows_equal_local_rows_for_the_same_lines(spark):
    lines = [
        '{"messageId":"m1","type":"page","context":{"ip":"1.2.3.4"}}',
        '{"messageId":"m2","type":"track","event":"Signed Up","newField":"x"}',
        "garbage",
    ]
    # What Auto Loader makes of the same lines (its file path in the rescued JSON switched off).
    as_auto_loaded = [
        {"messageId": "m1", "type": "page", "context": '{"ip":"1.2.3.4"}'},
        {
            "messageId": "m2",
            "type": "track",
            "event": "Signed Up",
            RESCUED_DATA: '{"newField":"x"}',
        },
        {AUTO_LOADER_CORRUPT_COLUMN: "garbage"},
    ]

    local = parse_raw_lines(lines_frame(spark, *lines))
    databricks = conform_auto_loaded(auto_loaded(spark, as_auto_loaded))

    assertDataFrameEqual(databricks, local)


def test_ingestion_columns_keep_their_values_through_conform(spark):
    frame = auto_loaded(spark, [{"messageId": "m1"}])

    actual = conform_auto_loaded(frame).select(SOURCE_FILE, INGESTED_AT)

    assertDataFrameEqual(actual, frame.select(SOURCE_FILE, INGESTED_AT))


def test_auto_loader_options_pin_json_string_hints_and_rescue_mode():
    hints = AUTO_LOADER_OPTIONS["cloudFiles.schemaHints"]

    assert AUTO_LOADER_OPTIONS["cloudFiles.format"] == "json"
    assert AUTO_LOADER_OPTIONS["cloudFiles.schemaEvolutionMode"] == "rescue"
    assert AUTO_LOADER_OPTIONS["rescuedDataColumn"] == RESCUED_DATA
    hinted = {h.strip() for h in hints.split(",")}
    assert {f"`{f}` STRING" for f in SEGMENT_FIELDS} <= hinted


def test_auto_loader_keeps_corrupt_lines_and_rejects_single_quotes():
    assert AUTO_LOADER_OPTIONS["mode"] == "PERMISSIVE"
    assert AUTO_LOADER_OPTIONS["columnNameOfCorruptRecord"] == AUTO_LOADER_CORRUPT_COLUMN
    assert AUTO_LOADER_OPTIONS["allowSingleQuotes"] == "false"


def fake_stream_reader() -> MagicMock:
    """A readStream whose builder methods return itself, recording every call."""
    reader = MagicMock(name="readStream")
    for method in ("format", "schema", "option"):
        getattr(reader, method).return_value = reader
    return reader


def test_read_landing_with_auto_loader_reads_cloudfiles_with_the_options(spark, monkeypatch):
    fake_spark = MagicMock(name="spark")
    fake_spark.readStream = reader = fake_stream_reader()
    monkeypatch.setattr(bronze, "conform_auto_loaded", lambda frame: ("conformed", frame))

    result = read_landing_with_auto_loader(fake_spark, "abfss://landing@acct/clickstream/")

    reader.format.assert_called_once_with("cloudFiles")
    reader.schema.assert_called_once_with(AUTO_LOADER_SCHEMA)
    options = {c.args[0]: c.args[1] for c in reader.option.call_args_list}
    assert options == AUTO_LOADER_OPTIONS
    reader.load.assert_called_once_with("abfss://landing@acct/clickstream/")
    loaded = reader.load.return_value
    assert result == ("conformed", loaded.select.return_value)


def test_auto_loader_stream_gets_source_file_and_ingestion_time(spark, monkeypatch):
    fake_spark = MagicMock(name="spark")
    fake_spark.readStream = reader = fake_stream_reader()
    monkeypatch.setattr(bronze, "conform_auto_loaded", lambda frame: frame)

    read_landing_with_auto_loader(fake_spark, "landing")

    selected = [str(c) for c in reader.load.return_value.select.call_args.args]
    assert any(SOURCE_FILE in c and "_metadata.file_path" in c for c in selected)
    assert any(INGESTED_AT in c and "current_timestamp" in c for c in selected)


def test_a_byte_order_mark_does_not_make_the_first_line_malformed(spark):
    from clickstream.bronze import parse_raw_lines

    lines = spark.createDataFrame(
        [('\ufeff{"messageId":"m1","type":"page"}', "f.json", None)],
        "value string, _source_file string, _ingested_at timestamp",
    )

    row = parse_raw_lines(lines).first()

    assert (row.messageId, row._rescued_data) == ("m1", None)


def test_read_raw_events_uses_auto_loader_on_databricks(monkeypatch):
    rt = runtime.Runtime(name="databricks", landing_path="abfss://l/", pii_key="k")
    monkeypatch.setattr(bronze, "read_landing_with_auto_loader", lambda spark, path: ("al", path))

    assert bronze.read_raw_events(MagicMock(), rt) == ("al", "abfss://l/")


def test_read_raw_events_parses_file_stream_lines_locally(monkeypatch):
    rt = runtime.Runtime(name="local", landing_path="landing", pii_key="k")
    monkeypatch.setattr(bronze, "read_landing_as_lines", lambda spark, path: f"lines of {path}")
    monkeypatch.setattr(bronze, "parse_raw_lines", lambda lines: f"parsed {lines}")

    assert bronze.read_raw_events(MagicMock(), rt) == "parsed lines of landing"
