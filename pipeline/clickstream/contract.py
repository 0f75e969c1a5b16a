"""The data contract as plain constants: table names, column lists, Segment fields, the funnel.
No pyspark.

Everything that names a table, a column list, a raw field or a funnel step imports it from here:
the pipeline (``clickstream.schema`` builds its Spark types from these names), the sample-data
generator, the reports and the dashboards. Change a name here and every reader follows.
"""

from __future__ import annotations

# Tables: the names dashboards, tests and infra read.
BRONZE_EVENTS = "bronze_events"
SILVER_EVENTS = "silver_events"
SILVER_QUARANTINE = "silver_quarantine"
GOLD_DIM_USERS = "gold_dim_users"
GOLD_SESSIONS = "gold_sessions"
# Databricks only: anonymous key -> linked user, kept beside gold_sessions by its sink so a batch
# resolves identities without reading the whole history (clickstream.gold_sessions_incremental).
GOLD_SESSION_LINKS = "gold_session_links"
GOLD_DAILY_METRICS = "gold_daily_metrics"
GOLD_QUALITY_DAILY = "gold_quality_daily"
# Bronze's verdict column: the names of Silver's rules a row fails, evaluated once at ingest
# (empty: the row goes to Silver; else to the quarantine).
FAILED_RULES = "failed_rules"

# What engineers may read: the published schema (Silver and Gold, no clear-text PII).
PUBLISHED_TABLES = (
    SILVER_EVENTS, GOLD_DIM_USERS, GOLD_SESSIONS, GOLD_DAILY_METRICS, GOLD_QUALITY_DAILY,
)  # fmt: skip
# The tables a run writes, in the order a reader meets them.
PIPELINE_TABLES = (BRONZE_EVENTS, SILVER_EVENTS, SILVER_QUARANTINE, *PUBLISHED_TABLES[1:])

# Raw-zone tables (clear-text PII possible): the restricted schema on Databricks.
RAW_TABLES = (BRONZE_EVENTS, SILVER_QUARANTINE)
# Erasure requests (clickstream-cloud forget -> the erasure job); raw schema: clear identifiers
# stay there until the job replaces them with hashes.
ERASURE_REQUESTS = "erasure_requests"

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

# Columns Bronze adds to the Segment fields.
RESCUED_DATA = "_rescued_data"
SOURCE_FILE = "_source_file"
INGESTED_AT = "_ingested_at"
# A line Bronze cannot split into fields is kept whole in ``_rescued_data`` as
# ``{"_corrupt_record": {"reason": <rule>, "line": <the line>}}``. The value is an object, while
# every unknown field is rescued as a string, so a real field named ``_corrupt_record`` can never
# pass for the marker.
CORRUPT_RECORD_KEY = "_corrupt_record"
CORRUPT_REASON = "reason"
CORRUPT_LINE = "line"

# The e-commerce funnel: Segment's e-commerce spec event names, in order, and the
# ``gold_daily_metrics`` column that counts each.
PRODUCT_VIEWED = "Product Viewed"
PRODUCT_ADDED = "Product Added"
CHECKOUT_STARTED = "Checkout Started"
ORDER_COMPLETED = "Order Completed"
FUNNEL_COLUMNS = {
    PRODUCT_VIEWED: "product_viewed",
    PRODUCT_ADDED: "product_added",
    CHECKOUT_STARTED: "checkout_started",
    ORDER_COMPLETED: "orders",
}
FUNNEL_STEPS = tuple(FUNNEL_COLUMNS)

DAILY_METRICS_COLUMNS = (
    "event_date",
    "active_users",
    "sessions",
    "page_views",
    *FUNNEL_COLUMNS.values(),
    "revenue",
)

# gold_quality_daily: one row per ingestion date and `rule` with a row count. Besides Silver's rule
# names (rows quarantined per rule; a row failing two rules counts under both), these totals:
# received = quarantined + accepted + duplicates, for every ingestion date.
QUALITY_RECEIVED = "received"  # Bronze rows
QUALITY_QUARANTINED = "quarantined"  # quarantined rows, each counted once
QUALITY_ACCEPTED = "accepted"  # Silver rows
QUALITY_DUPLICATES = "duplicates"  # removed by Silver's dedupe
QUALITY_TOTALS = (QUALITY_RECEIVED, QUALITY_QUARANTINED, QUALITY_ACCEPTED, QUALITY_DUPLICATES)
QUALITY_DAILY_COLUMNS = ("ingest_date", "rule", "rows")

# The Silver columns `clickstream-local show` prints a few rows of.
SILVER_SAMPLE_COLUMNS = (
    "event_id",
    "event_type",
    "event_name",
    "user_key",
    "event_ts",
    "page_path",
)

# Gold steps that let Databricks refresh the daily tables incrementally (see
# clickstream.gold_daily_metrics and clickstream.gold_quality_daily).
# Published: hashes and counts only.
GOLD_IDENTITY_LINKS = "gold_identity_links"
GOLD_SESSION_STARTS = "gold_session_starts"
GOLD_DAILY_IDENTITIES = "gold_daily_identities"
GOLD_DAILY_COUNTS = "gold_daily_counts"
GOLD_QUALITY_COUNTS = "gold_quality_counts"
# One row per Bronze row (ingestion date, event id, failed rules; no content), streamed from
# Bronze and never rebuilt: the quality counts of days whose raw rows retention deleted.
GOLD_QUALITY_LEDGER = "gold_quality_ledger"
QUALITY_LEDGER_COLUMNS = ("ingest_date", "event_id", FAILED_RULES)
# Materialized views declared as a full refresh, on purpose: each reads one row per day of a
# table above, so recomputing it costs what the number of days costs. A complete recompute of any
# other Gold view is a fallback worth a warning.
FULL_REFRESH_VIEWS = (GOLD_DAILY_METRICS, GOLD_QUALITY_DAILY)

# -- Column lists: what each table (or step between tables) holds, in order. ---------------------
# Pipeline query functions name their columns, never inspect them (``DataFrame.columns`` would
# analyse the plan, which a pipeline query function must not do).

# A person across events: user_key once known, else the user the anonymous key was linked to,
# else the anonymous key (clickstream.gold_sessions); gold_identity_links holds the link.
IDENTITY = "identity"
LINKED_USER_KEY = "linked_user_key"
# The Silver columns Gold's sessions and identities read.
IDENTITY_INPUT_COLUMNS = (
    "event_id",
    "event_type",
    "event_name",
    "user_key",
    "anonymous_key",
    "event_ts",
    "event_date",
    "page_path",
    "properties",
)
SESSION_COLUMNS = (
    "session_id",
    "user_key",
    "session_start",
    "session_end",
    "duration_s",
    "events",
    "page_views",
    "entry_path",
    "exit_path",
    "converted",
)
# gold_session_links: anonymous key -> linked user, with the event that made the link.
LINK_COLUMNS = ("anonymous_key", "user_key", "link_ts", "link_event_id")

# gold_dim_users: SCD2 keyed by DIM_USERS_KEYS; a change in a tracked column opens a version.
DIM_USERS_KEYS = ("user_key",)
DIM_USERS_TRACKED = ("plan", "country", "email_hash")
# Change records are ordered by CHANGE_SEQUENCE = struct(event_ts, event_id): event time, ties
# broken by the (unique) event id. AUTO CDC copies it into __START_AT/__END_AT, so those are
# structs of these two fields (docs/platform-notes.md, "AUTO CDC ties").
CHANGE_SEQUENCE = "change_sequence"
CHANGE_SEQUENCE_FIELDS = ("event_ts", "event_id")
DIM_USERS_COLUMNS = (*DIM_USERS_KEYS, *DIM_USERS_TRACKED, "__START_AT", "__END_AT")

# Initial clustering keys per table (Databricks starts automatic clustering from them; locally
# they are the explicit keys). Gold reads Silver by day and by person.
CLUSTER_BY = {
    SILVER_EVENTS: ("event_date", "user_key"),
    GOLD_DIM_USERS: DIM_USERS_KEYS,
    GOLD_SESSIONS: ("user_key", "session_start"),
    # The sessions sink looks links up by the user they point to.
    GOLD_SESSION_LINKS: ("user_key",),
    GOLD_IDENTITY_LINKS: ("anonymous_key",),
    GOLD_SESSION_STARTS: (IDENTITY, "event_date"),
    GOLD_DAILY_IDENTITIES: ("event_date",),
    GOLD_DAILY_COUNTS: ("event_date",),
    GOLD_DAILY_METRICS: ("event_date",),
    GOLD_QUALITY_COUNTS: (QUALITY_DAILY_COLUMNS[0],),
    GOLD_QUALITY_DAILY: (QUALITY_DAILY_COLUMNS[0],),
}
