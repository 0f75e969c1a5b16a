"""Spark schemas of the clickstream pipeline, built from the names in ``clickstream.contract``.

Bronze keeps every top-level Segment field as a string, exactly as it came: nested objects
(``context``, ``properties``, ``traits``) are kept as their raw JSON text, so no free-form value can
fail to fit. Silver parses what it needs from them.
"""

from pyspark.sql.types import (
    DateType,
    DecimalType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from clickstream.contract import INGESTED_AT, RESCUED_DATA, SEGMENT_FIELDS, SOURCE_FILE

BRONZE_RAW_SCHEMA = StructType([StructField(f, StringType()) for f in SEGMENT_FIELDS])
BRONZE_SCHEMA_DDL = ", ".join(f"`{f}` STRING" for f in SEGMENT_FIELDS)

BRONZE_SCHEMA = StructType(
    list(BRONZE_RAW_SCHEMA.fields)
    + [
        StructField(RESCUED_DATA, StringType()),
        StructField(SOURCE_FILE, StringType()),
        StructField(INGESTED_AT, TimestampType()),
    ]
)

# The parts of ``context`` Silver reads; the rest of it stays in Bronze only.
CONTEXT_SCHEMA = StructType(
    [
        StructField("ip", StringType()),
        StructField("userAgent", StringType()),
        StructField("locale", StringType()),
        StructField(
            "page",
            StructType(
                [
                    StructField("url", StringType()),
                    StructField("path", StringType()),
                    StructField("referrer", StringType()),
                    StructField("title", StringType()),
                    StructField("search", StringType()),
                ]
            ),
        ),
        StructField("traits", StringType()),
    ]
)

SILVER_SCHEMA = StructType(
    [
        StructField("event_id", StringType()),
        StructField("event_type", StringType()),
        StructField("event_name", StringType()),
        StructField("user_key", StringType()),
        StructField("anonymous_key", StringType()),
        StructField("email_hash", StringType()),
        StructField("event_ts", TimestampType()),
        StructField("event_date", DateType()),
        StructField("page_path", StringType()),
        StructField("page_url", StringType()),
        StructField("referrer", StringType()),
        StructField("properties", MapType(StringType(), StringType())),
        StructField("traits", MapType(StringType(), StringType())),
        StructField("revenue", DecimalType(18, 2)),
        StructField(SOURCE_FILE, StringType()),
        StructField(INGESTED_AT, TimestampType()),
    ]
)
