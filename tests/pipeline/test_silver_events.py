"""Silver: valid events, UTC, keyed PII hashes, deduplicated (clickstream.silver_events)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from medallion import Medallion
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from clickstream.bronze_events import parse_raw_lines
from clickstream.contract import INGESTED_AT, SOURCE_FILE
from clickstream.rules import check_rules
from clickstream.schema import BRONZE_SCHEMA, SILVER_SCHEMA
from clickstream.silver_events import (
    build_silver_events,
    quarantine_rows,
    to_silver_columns,
    valid_rows,
)

KEY = "test-pii-key-for-unit-tests"
INGESTED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

RAW_USER = "User-Raw-4242"
RAW_ANON = "anon-raw-7777"
RAW_EMAIL = "Ada.Lovelace@Example.com"
RAW_IP = "203.0.113.99"


def python_hmac(value: str) -> str:
    return hmac.new(KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def event(message_id: str = "m1", **fields) -> dict:
    """A valid page event with overrides; a field set to None is removed."""
    base = {
        "messageId": message_id,
        "type": "page",
        "name": "Home",
        "anonymousId": "a1",
        "timestamp": "2024-05-01T10:00:00Z",
        "receivedAt": "2024-05-01T10:00:01Z",
    }
    merged = {**base, **fields}
    return {k: v for k, v in merged.items() if v is not None}


def bronze(spark, *events):
    """Bronze rows as the local reader makes them: one JSON line (or raw string) per event."""
    lines = [e if isinstance(e, str) else json.dumps(e) for e in events]
    frame = spark.createDataFrame(
        [(line, "events.jsonl", INGESTED) for line in lines],
        f"value string, {SOURCE_FILE} string, {INGESTED_AT} timestamp",
    )
    return parse_raw_lines(frame)


def silver(spark, *events):
    """Silver columns of the valid events (batch: the dedupe runs on streams only)."""
    return to_silver_columns(valid_rows(check_rules(bronze(spark, *events))), KEY)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- timestamps -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "instant"),
    [
        pytest.param("2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00+00:00", id="plus-02-00"),
        pytest.param("2024-05-01T10:00:00-05:30", "2024-05-01T15:30:00+00:00", id="minus-05-30"),
        pytest.param("2024-05-01T10:00:00+0530", "2024-05-01T04:30:00+00:00", id="plus-0530"),
        pytest.param("2024-05-01T10:00:00Z", "2024-05-01T10:00:00+00:00", id="zulu"),
        pytest.param("2024-05-01T10:00:00", "2024-05-01T10:00:00+00:00", id="no-offset-is-utc"),
        pytest.param("2024-05-01T10:00:00.123Z", "2024-05-01T10:00:00.123+00:00", id="millis"),
        pytest.param(
            "2024-05-01T10:00:00.123456789+02:00", "2024-05-01T08:00:00.123456+00:00",
            id="nanos-truncated-to-micros",
        ),
        pytest.param("1714557600000", "2024-05-01T10:00:00+00:00", id="epoch-millis"),
    ],
)  # fmt: skip
def test_timestamp_normalises_to_the_utc_instant(spark, raw, instant):
    actual = silver(spark, event(timestamp=raw)).select("event_ts")

    assertDataFrameEqual(actual, spark.createDataFrame([(utc(instant),)], "event_ts timestamp"))


def test_event_date_is_the_utc_date(spark):
    actual = silver(spark, event(timestamp="2024-05-01T23:30:00-02:00")).select(
        "event_ts", "event_date"
    )

    expected = spark.createDataFrame(
        [(utc("2024-05-02T01:30:00+00:00"), date(2024, 5, 2))],
        "event_ts timestamp, event_date date",
    )
    assertDataFrameEqual(actual, expected)


def test_silver_has_the_silver_schema(spark):
    actual = silver(spark, event())

    assert [(f.name, f.dataType) for f in actual.schema] == [
        (f.name, f.dataType) for f in SILVER_SCHEMA
    ]


# --- keyed hashes ---------------------------------------------------------------------------


def test_keys_are_python_hmac_of_the_normalised_values(spark):
    identify = event(
        type="identify",
        name=None,
        userId="  User-42 ",
        anonymousId="\tAnon-7\n",
        traits={"email": "  Ada.Lovelace@Example.COM "},
    )

    actual = silver(spark, identify).select("user_key", "anonymous_key", "email_hash")

    expected = spark.createDataFrame(
        [(python_hmac("User-42"), python_hmac("Anon-7"), python_hmac("ada.lovelace@example.com"))],
        "user_key string, anonymous_key string, email_hash string",
    )
    assertDataFrameEqual(actual, expected)


def test_missing_or_blank_ids_give_null_keys(spark):
    actual = silver(spark, event(userId="   ", anonymousId="a1")).select("user_key", "email_hash")

    assertDataFrameEqual(
        actual, spark.createDataFrame([(None, None)], "user_key string, email_hash string")
    )


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(lambda t: {"traits": t}, id="top-level"),
        pytest.param(lambda t: {"context": {"traits": t}}, id="context-traits"),
    ],
)
def test_traits_give_email_hash_and_public_traits(spark, where):
    traits = {"email": "Ada@Example.com", "plan": "pro", "country": "NL"}
    identify = event(type="identify", name=None, userId="u1", **where(traits))

    actual = silver(spark, identify).select("email_hash", "traits")

    expected = spark.createDataFrame(
        [(python_hmac("ada@example.com"), {"plan": "pro", "country": "NL"})],
        "email_hash string, traits map<string,string>",
    )
    assertDataFrameEqual(actual, expected)


def test_top_level_traits_win_over_context_traits(spark):
    identify = event(
        type="identify",
        name=None,
        userId="u1",
        traits={"email": "top@example.com", "plan": "pro"},
        context={"traits": {"email": "ctx@example.com", "plan": "free", "country": "DE"}},
    )

    actual = silver(spark, identify).select("email_hash", "traits")

    expected = spark.createDataFrame(
        [(python_hmac("top@example.com"), {"plan": "pro", "country": "DE"})],
        "email_hash string, traits map<string,string>",
    )
    assertDataFrameEqual(actual, expected)


def test_traits_keep_only_public_traits(spark):
    traits = {
        "email": RAW_EMAIL, "name": "Ada Lovelace", "phone": "+31 6 1234", "plan": "pro",
        "country": "NL", "address": "1 Street",
    }  # fmt: skip
    actual = silver(spark, event(type="identify", userId="u1", traits=traits)).first()

    assert actual.traits == {"plan": "pro", "country": "NL"}


def test_raw_identifiers_never_appear_in_any_silver_column(spark):
    query = f"?email={RAW_EMAIL}&uid={RAW_USER}&aid={RAW_ANON}#ip={RAW_IP}"
    context = {
        "ip": RAW_IP,
        "userAgent": "Mozilla/5.0",
        "page": {
            "url": f"https://shop.example/p/1{query}",
            "path": f"/p/1{query}",
            "referrer": f"https://search.example/{query}",
            "search": query,
            "title": "Product",
        },
        "traits": {"email": RAW_EMAIL, "name": "Ada"},
    }
    properties = {
        "email": RAW_EMAIL, "Email": RAW_EMAIL, "contact": f" {RAW_EMAIL} ", "userId": RAW_USER,
        "anonymousId": RAW_ANON, "ip": RAW_IP, "IP": RAW_IP, "search": query,
        "url": f"https://shop.example/p/1{query}", "referrer": f"https://ref.example/{query}",
        "path": f"/p/1{query}", "price": "9.50",
    }  # fmt: skip
    events = [
        event("m1", userId=RAW_USER, anonymousId=RAW_ANON, context=context, properties=properties),
        event("m2", type="identify", name=None, userId=RAW_USER, traits={"email": RAW_EMAIL}),
        event("m3", type="track", name=None, event="Signed Up", userId=RAW_USER,
              properties={"email": RAW_EMAIL}, context={"ip": RAW_IP}),
    ]  # fmt: skip

    rows = silver(spark, *events).select(F.to_json(F.struct("*")).alias("row")).collect()

    assert len(rows) == 3
    text = " ".join(r.row for r in rows).lower()
    for raw in (RAW_USER, RAW_ANON, RAW_EMAIL, RAW_IP):
        assert raw.lower() not in text, raw


# --- URLs -----------------------------------------------------------------------------------


def test_a_query_string_is_dropped_even_when_a_line_break_follows_it(spark):
    # A regex `[?#].*$` stops at a line break and would keep the whole query.
    page = event(context={"page": {"url": "https://shop.example/p?email=a@b.example\nx=1"}})

    actual = silver(spark, page).select("page_url").first()

    assert actual.page_url == "https://shop.example/p"


def test_query_strings_and_fragments_are_dropped_from_urls(spark):
    page = event(
        context={
            "page": {
                "url": "https://shop.example/p/1?utm_source=x&email=a#frag",
                "path": "/p/1?x=1",
                "referrer": "https://search.example/q?term=shoes#top",
            }
        },
        properties={
            "url": "https://shop.example/p/1?session=abc",
            "referrer": "https://search.example/q#frag",
            "title": "Product",
        },
    )

    actual = silver(spark, page).select("page_url", "page_path", "referrer", "properties")

    expected = spark.createDataFrame(
        [
            (
                "https://shop.example/p/1",
                "/p/1",
                "https://search.example/q",
                {
                    "url": "https://shop.example/p/1",
                    "referrer": "https://search.example/q",
                    "title": "Product",
                },
            )
        ],
        "page_url string, page_path string, referrer string, properties map<string,string>",
    )
    assertDataFrameEqual(actual, expected)


def test_page_path_comes_from_the_url_when_no_path_is_given(spark):
    page = event(properties={"url": "https://shop.example/cart/view?id=9"})

    actual = silver(spark, page).select("page_path", "page_url")

    expected = spark.createDataFrame(
        [("/cart/view", "https://shop.example/cart/view")], "page_path string, page_url string"
    )
    assertDataFrameEqual(actual, expected)


def test_unparsable_url_gives_null_path_instead_of_failing(spark):
    page = event(properties={"url": "https://shop example/a b?x=1"})

    actual = silver(spark, page).select("page_path", "page_url")

    expected = spark.createDataFrame(
        [(None, "https://shop example/a b")], "page_path string, page_url string"
    )
    assertDataFrameEqual(actual, expected)


# --- properties and names -------------------------------------------------------------------


def test_properties_drop_pii_keys_and_hash_email_values(spark):
    properties = {
        "email": "a@example.com", "Phone": "+31 6 1234", "phone": "+31 6 1234",
        "search": "?q=ada", "userId": "u1", "password": "hunter2", "firstName": "Ada",
        "contact": " Bob@Example.com ", "sku": "SKU-1", "price": "9.5",
    }  # fmt: skip
    track = event(type="track", name=None, event="Product Viewed", properties=properties)

    actual = silver(spark, track).select("properties")

    expected = spark.createDataFrame(
        [({"contact": python_hmac("bob@example.com"), "sku": "SKU-1", "price": "9.5"},)],
        "properties map<string,string>",
    )
    assertDataFrameEqual(actual, expected)


def test_nested_property_values_are_kept_as_json_text(spark):
    track = event(
        type="track", name=None, event="Order Completed", properties={"products": [{"sku": "a"}]}
    )

    actual = silver(spark, track).first()

    assert json.loads(actual.properties["products"]) == [{"sku": "a"}]


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        pytest.param({"type": "track", "event": " Product Added "}, "Product Added", id="track"),
        pytest.param({"type": "page", "name": "Checkout"}, "Checkout", id="page"),
        pytest.param(
            {"type": "page", "name": None, "properties": {"name": "Cart"}}, "Cart",
            id="page-name-from-properties",
        ),
        pytest.param({"type": "screen", "name": "Settings"}, "Settings", id="screen"),
        pytest.param({"type": "identify", "name": None, "userId": "u1"}, None, id="identify"),
    ],
)  # fmt: skip
def test_event_name_is_the_track_event_or_the_page_name(spark, fields, name):
    actual = silver(spark, event(**fields)).select("event_name")

    assertDataFrameEqual(actual, spark.createDataFrame([(name,)], "event_name string"))


def test_event_type_is_trimmed_and_lower_cased(spark):
    actual = silver(spark, event(type=" Page ")).select("event_type")

    assertDataFrameEqual(actual, spark.createDataFrame([("page",)], "event_type string"))


# --- quarantine and accounting -------------------------------------------------------------


def test_invalid_rows_never_reach_silver(spark):
    actual = silver(spark, event("m1"), "garbage", event("m2", timestamp=None, receivedAt=None))

    assertDataFrameEqual(
        actual.select("event_id"), spark.createDataFrame([("m1",)], "event_id string")
    )


def test_quarantine_keeps_the_bronze_columns_plus_failed_rules(spark):
    actual = quarantine_rows(check_rules(bronze(spark, "garbage", event("m1"), event(None))))

    assert actual.columns == [*BRONZE_SCHEMA.fieldNames(), "failed_rules"]
    expected = spark.createDataFrame(
        [
            ('{"_corrupt_record":{"reason":"is_json_object","line":"garbage"}}',
             ["is_json_object", "has_message_id",
              "has_event_time", "known_event_type", "has_user_or_anonymous_id"]),
            (None, ["has_message_id"]),
        ],
        "_rescued_data string, failed_rules array<string>",
    )  # fmt: skip
    assertDataFrameEqual(actual.select("_rescued_data", "failed_rules"), expected)


def test_build_silver_events_has_the_silver_schema(spark):
    checked = check_rules(bronze(spark, event()))
    actual = build_silver_events(checked, KEY, checked)

    assert [(f.name, f.dataType) for f in actual.schema] == [
        (f.name, f.dataType) for f in SILVER_SCHEMA
    ]


# --- streaming: the dedupe runs on a stream watermarked on ingestion time -------------------


def write_lines(folder, name: str, lines: list[dict | str]) -> None:
    """Write a JSON-lines file atomically (the file source must never see half a file)."""
    text = "".join((e if isinstance(e, str) else json.dumps(e)) + "\n" for e in lines)
    staging = folder.parent / f".{name}.tmp"
    staging.write_text(text)
    os.replace(staging, folder / name)


def run_stream(spark, tmp_path, batches: list[list]):
    """Land each batch as a file and run Bronze then Silver over it (one pipeline update per
    file, ``medallion.Medallion``); returns Silver and the Bronze table."""
    medallion = Medallion(spark, tmp_path)
    for number, lines in enumerate(batches):
        write_lines(medallion.landing, f"batch-{number}.jsonl", lines)
        medallion.run()
    return medallion.table("silver"), medallion.table("bronze")


def test_stream_drops_redelivered_ids_and_keeps_late_events(spark, tmp_path):
    first = [event("m1"), event("m2")]
    second = [
        event("m1", name="Redelivered"),  # the same id again, one batch later
        event("m3", timestamp="2024-04-26T10:00:00Z"),  # event time 5 days older
    ]

    actual, bronze_rows = run_stream(spark, tmp_path, [first, second])

    assert bronze_rows.select(INGESTED_AT).distinct().count() == 2  # two arrivals
    expected = spark.createDataFrame(
        [("m1", "Home", date(2024, 5, 1)), ("m2", "Home", date(2024, 5, 1)),
         ("m3", "Home", date(2024, 4, 26))],
        "event_id string, event_name string, event_date date",
    )  # fmt: skip
    assertDataFrameEqual(actual.select("event_id", "event_name", "event_date"), expected)


def test_bronze_equals_silver_plus_quarantine_plus_duplicates(spark, tmp_path):
    lines = [
        event("m1"),
        event(" m1 "),  # duplicate: the id is trimmed
        event("m2", type="track", name=None, event="Signed Up"),
        event("m2"),  # duplicate with other content
        event("m3", timestamp="2024-04-20T10:00:00Z"),  # late: kept
        "garbage",
        "",
        event(None),
        event("m4", type="track", name=None),  # track without event name
    ]

    silver_rows, _ = run_stream(spark, tmp_path, [lines])
    quarantine = quarantine_rows(check_rules(bronze(spark, *lines)))

    assertDataFrameEqual(
        silver_rows.select("event_id"),
        spark.createDataFrame([("m1",), ("m2",), ("m3",)], "event_id string"),
    )
    assert quarantine.count() == 4
    duplicates = 2
    assert len(lines) == silver_rows.count() + quarantine.count() + duplicates


def test_email_inside_free_text_property_is_cut_out(spark):
    from clickstream.silver_events import REDACTED_EMAIL, _public_properties

    row = (
        spark.createDataFrame(
            [({"note": "contact me at Jo.Doe@example.com please"},)], "p map<string,string>"
        )
        .select(_public_properties(F.col("p"), "k").alias("p"))
        .first()
    )
    assert row.p["note"] == f"contact me at {REDACTED_EMAIL} please"


def test_ingest_watermark_is_declared_in_sql_with_the_horizon():
    from unittest.mock import MagicMock

    from clickstream.runtime import Runtime
    from clickstream.silver_events import read_with_ingest_watermark

    spark = MagicMock(name="spark")
    rt = Runtime(name="local", landing_path="landing", pii_key="k", dedupe_horizon="12 hours")

    read_with_ingest_watermark(spark, rt, "bronze_events")

    spark.sql.assert_called_once_with(
        "SELECT * FROM STREAM(bronze_events) WATERMARK _ingested_at DELAY OF INTERVAL 12 hours"
    )


# --- rules evaluated once: the verdict both sides read, and what the event log counts --------

EDGE_LINES = [
    event("m1"),
    "garbage",
    "",
    event(None),
    event("m2", type=None),
    event("m3", type="track", name=None),
    event("m4", timestamp=None, receivedAt=None),
    event("m5", anonymousId=None),
]


def test_checked_rows_carry_the_failed_rules(spark):
    checked = check_rules(bronze(spark, event("m1"), event(None)))

    assert checked.columns == [*BRONZE_SCHEMA.fieldNames(), "failed_rules"]
    expected = spark.createDataFrame(
        [("m1", []), (None, ["has_message_id"])], "messageId string, failed_rules array<string>"
    )
    assertDataFrameEqual(checked.select("messageId", "failed_rules"), expected)


def test_every_checked_row_goes_to_exactly_one_side(spark):
    checked = check_rules(bronze(spark, *EDGE_LINES))

    valid, quarantined = valid_rows(checked).count(), quarantine_rows(checked).count()

    assert (valid, quarantined) == (1, len(EDGE_LINES) - 1)


def test_event_log_failed_count_per_rule_equals_the_quarantine_rows_naming_it(spark):
    from clickstream.rules import SILVER_RULES, null_safe

    checked = check_rules(bronze(spark, *EDGE_LINES))
    quarantine = quarantine_rows(checked)

    for name, constraint in null_safe(SILVER_RULES).items():
        # what dp.expect_all counts as failed records: rows where the constraint is false
        failed = checked.where(f"NOT ({constraint})").count()
        naming = quarantine.where(F.array_contains("failed_rules", name)).count()
        assert failed == naming, name


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [("19.99", Decimal("19.99")), (" 5.005 ", Decimal("5.01")), ("twelve", None), ("", None),
     ("1e400", None), (None, None)],
)  # fmt: skip
def test_revenue_is_typed_once_rounded_to_cents_and_null_when_unusable(spark, raw, parsed):
    properties = {} if raw is None else {"revenue": raw}

    (row,) = silver(
        spark, event(type="track", event="Order Completed", properties=properties)
    ).collect()
    assert row["revenue"] == parsed
