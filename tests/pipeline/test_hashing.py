"""Keyed hashing of PII in Spark SQL (clickstream.hashing) against Python's hmac module."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from clickstream.hashing import hmac_sha256, normalise_email, normalise_id

VALUES = ["user-42", "Zoë 🙂 ünïcode", "", "x" * 200]


def python_hmac(key: str | bytes, value: str | None) -> str | None:
    if value is None:
        return None
    raw_key = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(raw_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def values_frame(spark, values):
    return spark.createDataFrame([(v,) for v in values], "value string")


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("k", id="short"),
        pytest.param("k" * 64, id="exactly-64-bytes"),
        pytest.param("long-key-" * 20, id="longer-than-64-bytes"),
        pytest.param("clé-🔑-ключ", id="unicode"),
        pytest.param(bytes(range(256)) * 2, id="binary-bytes"),
    ],
)
def test_hmac_equals_python_hmac_sha256(spark, key):
    actual = values_frame(spark, VALUES).select(
        "value", hmac_sha256(F.col("value"), key).alias("h")
    )

    expected = spark.createDataFrame(
        [(v, python_hmac(key, v)) for v in VALUES], "value string, h string"
    )
    assertDataFrameEqual(actual, expected)


def test_hmac_of_null_is_null(spark):
    actual = values_frame(spark, [None]).select(hmac_sha256(F.col("value"), "k").alias("h"))

    assertDataFrameEqual(actual, spark.createDataFrame([(None,)], "h string"))


def test_different_keys_give_different_hashes(spark):
    actual = values_frame(spark, ["user-42"]).select(
        hmac_sha256(F.col("value"), "key-a").alias("a"),
        hmac_sha256(F.col("value"), "key-b").alias("b"),
    )

    row = actual.first()
    assert row.a != row.b


@pytest.mark.usefixtures("spark")  # F.lit needs a live SparkContext
@pytest.mark.parametrize("key", ["", b""])
def test_empty_key_raises(key):
    with pytest.raises(ValueError, match="key is empty"):
        hmac_sha256(F.lit("x"), key)


def test_email_is_trimmed_and_lower_cased(spark):
    raw = ["  Ada.Lovelace@Example.COM ", "\tÉLODIE@Exemple.fr\n", "bob@example.com"]

    actual = values_frame(spark, raw).select("value", normalise_email(F.col("value")).alias("n"))

    expected = spark.createDataFrame(
        [(v, v.strip().lower()) for v in raw], "value string, n string"
    )
    assertDataFrameEqual(actual, expected)


def test_blank_email_becomes_null_and_never_hashes(spark):
    blanks = ["", "   ", "\t", " \n ", None]

    actual = values_frame(spark, blanks).select(
        "value",
        normalise_email(F.col("value")).alias("n"),
        hmac_sha256(normalise_email(F.col("value")), "k").alias("h"),
    )

    expected = spark.createDataFrame(
        [(v, None, None) for v in blanks], "value string, n string, h string"
    )
    assertDataFrameEqual(actual, expected)


def test_normalised_email_hash_equals_python_hmac_of_the_clean_email(spark):
    actual = values_frame(spark, [" Ada@Example.COM\n"]).select(
        hmac_sha256(normalise_email(F.col("value")), "k").alias("h")
    )

    expected = spark.createDataFrame([(python_hmac("k", "ada@example.com"),)], "h string")
    assertDataFrameEqual(actual, expected)


def test_identifier_is_trimmed_and_keeps_its_case(spark):
    raw = ["  User-42 ", "\tAnon-7\r\n", "u1"]

    actual = values_frame(spark, raw).select("value", normalise_id(F.col("value")).alias("n"))

    expected = spark.createDataFrame([(v, v.strip()) for v in raw], "value string, n string")
    assertDataFrameEqual(actual, expected)


def test_blank_identifier_becomes_null(spark):
    blanks = ["", "  ", "\t\n", None]

    actual = values_frame(spark, blanks).select("value", normalise_id(F.col("value")).alias("n"))

    expected = spark.createDataFrame([(v, None) for v in blanks], "value string, n string")
    assertDataFrameEqual(actual, expected)


def test_the_padded_key_is_a_binary_literal_in_the_explained_plan(spark):
    # Why the event log's location and readers are documented next to key rotation
    # (docs/data-contract.md): a plan printed anywhere reveals the key.
    key = "k" * 40
    inner = bytes(b ^ 0x36 for b in key.encode().ljust(64, b"\x00"))
    frame = values_frame(spark, ["v"]).select(hmac_sha256(F.col("value"), key).alias("h"))

    plan = frame._jdf.queryExecution().toString()

    assert "0x" + inner.hex().upper() in plan
