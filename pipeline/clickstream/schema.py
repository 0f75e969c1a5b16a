"""Schemas and table names of the clickstream pipeline: the data contract in code.

Bronze keeps every top-level Segment field as a string, exactly as it came: nested objects
(``context``, ``properties``, ``traits``) are kept as their raw JSON text, so no free-form value can
fail to fit. Silver parses what it needs from them.
"""

from pyspark.sql.types import (
    DateType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

# Table names: the contract dashboards, tests and infra read.
BRONZE_EVENTS = "bronze_events"
SILVER_EVENTS = "silver_events"
SILVER_QUARANTINE = "silver_quarantine"
GOLD_DIM_USERS = "gold_dim_users"
GOLD_SESSIONS = "gold_sessions"
GOLD_DAILY_METRICS = "gold_daily_metrics"

# Top-level fields of a Segment-spec event. Anything else is schema drift -> ``_rescued_data``.
SEGMENT_FIELDS = (
    "messageId",
    "type",
    "event",
    "name",
    "userId",
    "anonymousId",
    "timestamp",
    "originalTimestamp",
    "sentAt",
    "receivedAt",
    "context",
    "properties",
    "traits",
)

EVENT_TYPES = ("page", "track", "identify", "screen", "group", "alias")

RESCUED_DATA = "_rescued_data"
SOURCE_FILE = "_source_file"
INGESTED_AT = "_ingested_at"
# Key under which a line that is not a JSON object is kept, whole, inside ``_rescued_data``.
CORRUPT_RECORD_KEY = "_corrupt_record"

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
        StructField(SOURCE_FILE, StringType()),
        StructField(INGESTED_AT, TimestampType()),
    ]
)
