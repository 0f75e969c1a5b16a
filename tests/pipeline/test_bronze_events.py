"""Bronze: raw lines kept as they came (clickstream.bronze_events); one parser for both."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from unittest.mock import MagicMock

import pytest
from pyspark.testing import assertDataFrameEqual

from clickstream import bronze_events, runtime
from clickstream.bronze_events import (
    AUTO_LOADER_OPTIONS,
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


def kept_whole(line: str, reason: str = "is_json_object") -> str:
    """``_rescued_data`` of a line Bronze keeps whole."""
    return compact({CORRUPT_RECORD_KEY: {"reason": reason, "line": line}})


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

    expected = bronze_rows(spark, [{RESCUED_DATA: kept_whole(line)}])
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


def test_a_repeated_top_level_key_keeps_the_line_whole_and_first_copies_in_the_fields(spark):
    line = '{"messageId":"m1","messageId":"m2","type":"page"}'

    actual = parse_raw_lines(lines_frame(spark, line))

    whole = kept_whole(line, "no_repeated_keys")
    expected = bronze_rows(spark, [{"messageId": "m1", "type": "page", RESCUED_DATA: whole}])
    assertDataFrameEqual(actual, expected)


def test_lines_auto_loader_json_would_drop_or_split_give_one_bronze_row_each(spark):
    # Auto Loader's JSON reader: a blank line gives no row, a top-level array one row per
    # element. The shared parser keeps each line once, whole, so it is quarantined, not lost.
    lines = ["", '[{"messageId":"m1"},{"messageId":"m2"}]']

    actual = parse_raw_lines(lines_frame(spark, *lines))

    expected = bronze_rows(spark, [{RESCUED_DATA: kept_whole(x)} for x in lines])
    assertDataFrameEqual(actual, expected)


def test_rescued_data_holds_only_the_unknown_fields_as_strings_never_the_file_path(spark):
    actual = parse_raw_lines(lines_frame(spark, '{"messageId":"m1","v":2,"ok":true}')).first()

    assert json.loads(actual[RESCUED_DATA]) == {"v": "2", "ok": "true"}


# --- the Databricks reader: Auto Loader, lines of text -------------------------------------


def test_auto_loader_reads_lines_of_text_and_skips_corrupt_files_only():
    assert AUTO_LOADER_OPTIONS == {
        "cloudFiles.format": "text",
        "ignoreCorruptFiles": "true",  # a truncated .gz does not stop the feed
        "ignoreMissingFiles": "false",  # a vanished file does, loudly
        "cloudFiles.useManagedFileEvents": "true",  # file events, not a listing per update
    }


def fake_stream_reader() -> MagicMock:
    """A readStream whose builder methods return itself, recording every call."""
    reader = MagicMock(name="readStream")
    for method in ("format", "option", "options"):
        getattr(reader, method).return_value = reader
    return reader


@pytest.mark.usefixtures("spark")  # building Column expressions needs a live SparkContext
def test_auto_loader_reads_cloudfiles_with_the_options_and_no_schema():
    fake_spark = MagicMock(name="spark")
    fake_spark.readStream = reader = fake_stream_reader()

    result = read_landing_with_auto_loader(fake_spark, "abfss://landing@acct/clickstream/")

    reader.format.assert_called_once_with("cloudFiles")
    reader.options.assert_called_once_with(**AUTO_LOADER_OPTIONS)
    reader.option.assert_not_called()
    reader.schema.assert_not_called()
    reader.load.assert_called_once_with("abfss://landing@acct/clickstream/")
    assert result is reader.load.return_value.select.return_value


@pytest.mark.usefixtures("spark")  # building Column expressions needs a live SparkContext
def test_auto_loader_lines_get_the_same_columns_as_local_lines():
    fake_spark = MagicMock(name="spark")
    fake_spark.readStream = reader = fake_stream_reader()

    read_landing_with_auto_loader(fake_spark, "landing")

    selected = [str(c) for c in reader.load.return_value.select.call_args.args]
    assert selected[0] == "value"
    assert SOURCE_FILE in selected[1] and "_metadata.file_path" in selected[1]
    assert INGESTED_AT in selected[2] and "current_timestamp" in selected[2]


def test_both_readers_feed_the_same_parser_and_rules(monkeypatch):
    monkeypatch.setattr(
        bronze_events, "read_landing_with_auto_loader", lambda spark, path: f"al {path}"
    )
    monkeypatch.setattr(bronze_events, "read_landing_as_lines", lambda spark, path: f"fs {path}")
    monkeypatch.setattr(bronze_events, "parse_raw_lines", lambda lines: f"parsed {lines}")
    monkeypatch.setattr(bronze_events, "check_rules", lambda parsed: parsed)
    on_databricks = runtime.Runtime(name="databricks", landing_path="abfss://l/")
    local = runtime.Runtime(name="local", landing_path="landing", pii_key="k")

    assert bronze_events.read_raw_events(MagicMock(), on_databricks) == "parsed al abfss://l/"
    assert bronze_events.read_raw_events(MagicMock(), local) == "parsed fs landing"


def test_a_byte_order_mark_does_not_make_the_first_line_malformed(spark):
    from clickstream.bronze_events import parse_raw_lines

    lines = spark.createDataFrame(
        [('\ufeff{"messageId":"m1","type":"page"}', "f.json", None)],
        "value string, _source_file string, _ingested_at timestamp",
    )

    row = parse_raw_lines(lines).first()

    assert (row.messageId, row._rescued_data) == ("m1", None)
