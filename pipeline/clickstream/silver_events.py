"""Silver: valid events, one per ``messageId``, parsed, in UTC, PII replaced by keyed hashes.

Silver's rules are evaluated once per row as it enters Bronze (``failed_rules``, see
``clickstream.rules``); :func:`valid_rows` and :func:`quarantine_rows` only read that verdict, so
the Silver and quarantine sides can never disagree, and raw rows are written once.

Only ``select``/``where`` and ``dropDuplicatesWithinWatermark`` are used on the Bronze stream:
those are the operations that stay correct when a pipeline flow reads another dataset (see the
open-source Spark notes); the watermark itself is declared where the stream is read.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from clickstream.contract import FAILED_RULES, INGESTED_AT, SOURCE_FILE
from clickstream.dedupe import first_copies
from clickstream.hashing import hmac_sha256, normalise_email, normalise_id
from clickstream.rules import EVENT_TIME_SQL
from clickstream.runtime import Runtime
from clickstream.schema import BRONZE_SCHEMA, CONTEXT_SCHEMA

# Identify traits that may reach Silver and Gold; every other trait (email, name, phone,
# address, ...) is treated as PII and stays in the raw zone.
PUBLIC_TRAITS = ("plan", "country", "company", "industry", "employees", "language")
# Property keys that identify a person or may carry identifiers in a query string.
PII_PROPERTY_KEYS = (
    "email",
    "phone",
    "ip",
    "address",
    "firstName",
    "lastName",
    "name_full",
    "userId",
    "anonymousId",
    "password",
    "search",
)
URL_PROPERTY_KEYS = ("url", "referrer", "path")
# Something shaped like an email address in a free-form value is hashed, never kept.
EMAIL_PATTERN = r"^\s*[^@\s]+@[^@\s]+\.[A-Za-z]{2,}\s*$"
# ... and one inside free text is cut out.
EMBEDDED_EMAIL = r"[^@\s\"',;:<>()\[\]]+@[^@\s\"',;:<>()\[\]]+\.[A-Za-z]{2,}"
REDACTED_EMAIL = "[email removed]"

_MAP = "map<string,string>"
# ``properties.revenue`` as money: rounded half-up to cents; bad or out of range -> null.
REVENUE_TYPE = "decimal(18,2)"

# Spark's JSON-expression optimizer splits each from_json into one per field read, so every nested
# field re-parsed its JSON text: Silver took 24 s instead of 14 s for 1M rows on 2 cores. A local
# speed setting (it changes the plan, not the rows); never sent to Databricks, whose serverless
# compute accepts only a short list of Spark settings.
SILVER_SPARK_CONF = {"spark.sql.optimizer.enableJsonExpressionOptimization": "false"}


def strip_query(url: Column) -> Column:
    """URL without query string or fragment (they may carry identifiers); blank becomes null.

    Everything from the first ``?`` or ``#`` goes, whatever follows it: two string cuts. A
    regex ``[?#].*$`` stops at a line break and would keep the query string behind it.
    """
    stripped = F.substring_index(F.substring_index(url, "?", 1), "#", 1)
    return F.when(F.trim(stripped) != "", stripped)


def valid_rows(bronze: DataFrame) -> DataFrame:
    """Bronze rows that fail no rule (still with ``failed_rules``; Silver drops it)."""
    return bronze.where(F.size(FAILED_RULES) == 0)


def quarantine_rows(bronze: DataFrame) -> DataFrame:
    """Bronze rows that fail at least one rule: the Bronze columns, ``failed_rules`` included."""
    # Columns named, not read from ``bronze.columns``: a query function may not analyse.
    return bronze.where(F.size(FAILED_RULES) > 0).select(*BRONZE_SCHEMA.fieldNames(), FAILED_RULES)


def _merged_traits(top: Column, in_context: Column) -> Column:
    """Identify traits from the top level (Segment) and ``context.traits`` (RudderStack);
    the top level wins where both have a key."""
    top = F.coalesce(top, F.create_map().cast(_MAP))
    in_context = F.coalesce(in_context, F.create_map().cast(_MAP))
    only_in_context = F.map_filter(in_context, lambda k, _v: ~F.array_contains(F.map_keys(top), k))
    return F.map_concat(top, only_in_context)


def _public_properties(properties: Column, pii_key: str) -> Column:
    # Keys compare case-insensitively: `Email` or `PHONE` is as personal as `email`.
    pii = F.array(*[F.lit(k.lower()) for k in PII_PROPERTY_KEYS])
    urls = F.array(*[F.lit(k) for k in URL_PROPERTY_KEYS])
    kept = F.map_filter(properties, lambda k, _v: ~F.array_contains(pii, F.lower(k)))
    return F.transform_values(
        kept,
        lambda k, v: (
            F.when(F.array_contains(urls, k), strip_query(v))
            .when(v.rlike(EMAIL_PATTERN), hmac_sha256(normalise_email(v), pii_key))
            .when(v.contains("@"), F.regexp_replace(v, EMBEDDED_EMAIL, REDACTED_EMAIL))
            .otherwise(v)
        ),
    )


def to_silver_columns(valid: DataFrame, pii_key: str) -> DataFrame:
    """Valid Bronze rows -> the Silver column contract (no dedupe)."""
    parsed = valid.select(
        "*",
        F.from_json("context", CONTEXT_SCHEMA).alias("_ctx"),
        F.from_json("properties", _MAP).alias("_props"),
        F.expr(EVENT_TIME_SQL).alias("_event_ts"),
    ).select(
        "*",
        _merged_traits(F.from_json("traits", _MAP), F.from_json(F.col("_ctx.traits"), _MAP)).alias(
            "_traits"
        ),
    )
    props = F.col("_props")
    event_type = F.lower(F.trim("type"))
    page_url = strip_query(F.coalesce(F.col("_ctx.page.url"), props.getItem("url")))
    path = F.coalesce(
        F.col("_ctx.page.path"), props.getItem("path"), F.expr("try_parse_url(_page_url, 'PATH')")
    )
    event_name = F.when(event_type == "track", F.trim("event")).when(
        event_type.isin("page", "screen"), F.coalesce(F.col("name"), props.getItem("name"))
    )
    public = F.array(*[F.lit(k) for k in PUBLIC_TRAITS])
    return parsed.select("*", page_url.alias("_page_url")).select(
        F.trim("messageId").alias("event_id"),
        event_type.alias("event_type"),
        event_name.alias("event_name"),
        hmac_sha256(normalise_id(F.col("userId")), pii_key).alias("user_key"),
        hmac_sha256(normalise_id(F.col("anonymousId")), pii_key).alias("anonymous_key"),
        hmac_sha256(normalise_email(F.col("_traits").getItem("email")), pii_key).alias(
            "email_hash"
        ),
        F.col("_event_ts").alias("event_ts"),
        F.to_date("_event_ts").alias("event_date"),
        strip_query(path).alias("page_path"),
        F.col("_page_url").alias("page_url"),
        strip_query(F.coalesce(F.col("_ctx.page.referrer"), props.getItem("referrer"))).alias(
            "referrer"
        ),
        _public_properties(F.coalesce(props, F.create_map().cast(_MAP)), pii_key).alias(
            "properties"
        ),
        F.map_filter("_traits", lambda k, _v: F.array_contains(public, k)).alias("traits"),
        # Typed once here, so Gold reads a decimal column rather than a map (map columns keep a
        # materialized view from being refreshed incrementally: MAP_TYPE_NOT_SUPPORTED).
        props.getItem("revenue").try_cast(REVENUE_TYPE).alias("revenue"),
        F.col(SOURCE_FILE),
        F.col(INGESTED_AT),
    )


# Bronze receives deletes (retention, erasure) and Silver too (erasure); a Delta streaming source
# fails on a commit that removes rows unless told to skip it (Databricks, "Delta table streaming
# reads and writes"). Downstream rows are deleted by the same job, not by the stream.
SKIP_CHANGE_COMMITS = {"skipChangeCommits": "true"}


def stream_skipping_deletes(spark: SparkSession, rt: Runtime, table: str) -> DataFrame:
    """Stream a table that retention or erasure deletes from (Bronze, Silver): on Delta, skip
    their commits."""
    if rt.is_databricks:
        return spark.readStream.options(**SKIP_CHANGE_COMMITS).table(table)
    return spark.readStream.table(table)


def read_with_ingest_watermark(spark: SparkSession, rt: Runtime, table: str) -> DataFrame:
    """Stream a pipeline table with a watermark on ``_ingested_at`` (for the dedupe state).

    Databricks: the Delta source reads a table's initial snapshot (a full refresh of Silver over
    the whole Bronze history) in file order, and compaction rewrites files, so an old row could
    come in a later micro-batch than a newer one and fall behind the watermark, where
    ``dropDuplicatesWithinWatermark`` drops it. ``withEventTimeOrder`` (Delta docs, "Process
    initial snapshot without data being dropped") makes the snapshot arrive in event-time order
    of the watermark column. Locally the SQL WATERMARK clause (``withWatermark`` on a DataFrame
    read from another pipeline dataset fails on open-source Spark's first run); there a rebuild
    reads the whole history in one micro-batch (the file source has no per-trigger limit unless
    one is set), so nothing falls behind the watermark.
    """
    if rt.is_databricks:
        return (
            spark.readStream.options(withEventTimeOrder="true", **SKIP_CHANGE_COMMITS)
            .table(table)
            .withWatermark(INGESTED_AT, rt.dedupe_horizon)
        )
    return spark.sql(
        f"SELECT * FROM STREAM({table}) "
        f"WATERMARK {INGESTED_AT} DELAY OF INTERVAL {rt.dedupe_horizon}"
    )


def dedupe_events(silver: DataFrame) -> DataFrame:
    """One row per ``event_id`` among the rows :func:`clickstream.dedupe.first_copies` kept.

    What is left to collapse here are exact repeats of the first copy (the same line twice in
    one file), which give identical Silver rows, so the arbitrary pick of
    ``dropDuplicatesWithinWatermark`` inside a micro-batch cannot change the result. The state
    is bounded by the watermark on ``_ingested_at`` (declared where Bronze is read), never on
    event time, so an event that arrives days late is still kept.
    """
    return silver.dropDuplicatesWithinWatermark(["event_id"])


def build_silver_events(bronze: DataFrame, pii_key: str, history: DataFrame) -> DataFrame:
    """Bronze rows -> ``silver_events``: rows without failed rules, Silver columns, deduplicated.

    ``history``: the whole Bronze table read as a batch; the first valid copy of each event in it
    is the one kept (:mod:`clickstream.dedupe`).
    """
    first = first_copies(valid_rows(bronze), valid_rows(history))
    return dedupe_events(to_silver_columns(first, pii_key))
