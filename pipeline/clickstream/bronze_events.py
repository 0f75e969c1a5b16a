"""Bronze: every raw line kept, as it came, with what did not fit in ``_rescued_data``.

One parser on both platforms. Both read the landing files as lines of text (plain or gzipped):
Auto Loader with ``cloudFiles.format`` = ``text`` on Databricks, the Spark file-stream source
locally. :func:`parse_raw_lines` then turns each line into the Bronze columns, so the same line
gives the same Bronze row on both platforms by construction (Auto Loader's JSON reader would not:
it drops blank lines, splits a top-level array into rows, and adds ``_file_path`` to the rescued
data; see docs/platform-notes.md).

Nothing is filtered in Bronze. Silver's rules are evaluated here, once per row, into
``failed_rules`` (:func:`ingest_lines`): raw rows are written once, and on Databricks the same
rules are declared on this table with ``dp.expect_all``, so the event log counts what the
quarantine holds.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from clickstream.contract import (
    CORRUPT_LINE,
    CORRUPT_REASON,
    CORRUPT_RECORD_KEY,
    INGESTED_AT,
    RESCUED_DATA,
    SEGMENT_FIELDS,
    SOURCE_FILE,
)
from clickstream.rules import NOT_A_JSON_OBJECT, REPEATED_KEYS, check_rules, repeats_a_key
from clickstream.runtime import Runtime

# Bronze holds the arrival time of every row (`_ingested_at`, stamped once when the line is read)
# and may hold lines whose landing files are gone: a full refresh must never truncate and re-stamp
# it. `pipelines.reset.allowed` = false keeps a table out of full refreshes on Databricks
# (Lakeflow table properties reference); locally `clickstream-local run --full-refresh` leaves it
# out of the refresh selection (clickstream_cli.local_run.FULL_REFRESH_TABLES).
TABLE_PROPERTIES = {"quality": "bronze", "pipelines.reset.allowed": "false"}

# Single-quoted pseudo-JSON is not JSON: other parsers reject it, so Bronze rescues it whole.
JSON_OPTIONS = {"allowSingleQuotes": "false", "mode": "PERMISSIVE"}


def _kept_whole(line: Column, reason: str) -> Column:
    """``_rescued_data`` of a line kept whole: the marker object with the reason and the line."""
    marker = F.struct(F.lit(reason).alias(CORRUPT_REASON), line.alias(CORRUPT_LINE))
    return F.to_json(F.struct(marker.alias(CORRUPT_RECORD_KEY)))


def parse_raw_lines(lines: DataFrame, line_col: str = "value") -> DataFrame:
    """Lines (``value``, ``_source_file``, ``_ingested_at``) -> Bronze columns.

    A line that is a JSON object gives one string column per Segment field (nested objects as
    their JSON text) and its unknown fields, as a JSON object, in ``_rescued_data``. Any other
    line (not JSON, a JSON array or scalar, blank) is kept whole in ``_rescued_data`` under
    ``_corrupt_record`` with reason ``is_json_object`` and leaves every field null. An object
    that repeats a top-level key is kept whole too, with reason ``no_repeated_keys``; its fields
    show the first copy of each key (what a map lookup returns), so the row can still be found
    by its ids, and the quarantine says why.
    """
    line = F.col(line_col)
    # A byte-order mark (files saved by Windows tools) would make the first line unparsable.
    without_bom = F.when(line.startswith("\ufeff"), F.substring(line, 2, 1 << 30)).otherwise(line)
    parsed = lines.select(
        F.col(line_col).alias("_line"),
        F.from_json(without_bom, "map<string,string>", JSON_OPTIONS).alias("_fields"),
        SOURCE_FILE,
        INGESTED_AT,
    )
    # from_json keeps a repeated key twice in the map (lookups return the first copy, the second
    # would vanish): which value the sender meant is unknowable, so the line is kept whole.
    fields = F.col("_fields")
    known = F.array(*[F.lit(name) for name in SEGMENT_FIELDS])
    unknown = F.map_filter("_fields", lambda k, _v: ~F.array_contains(known, k))
    rescued = (
        F.when(fields.isNull(), _kept_whole(F.col("_line"), NOT_A_JSON_OBJECT))
        .when(repeats_a_key(fields), _kept_whole(F.col("_line"), REPEATED_KEYS))
        .when(F.size(unknown) > 0, F.to_json(unknown))
    )
    return parsed.select(
        *[fields.getItem(name).alias(name) for name in SEGMENT_FIELDS],
        rescued.alias(RESCUED_DATA),
        SOURCE_FILE,
        INGESTED_AT,
    )


def ingest_lines(lines: DataFrame) -> DataFrame:
    """Lines -> ``bronze_events``: the parsed columns plus ``failed_rules``, Silver's rules
    evaluated once, here, on both platforms (Silver and the quarantine only filter on it)."""
    return check_rules(parse_raw_lines(lines))


def _as_lines(stream: DataFrame) -> DataFrame:
    return stream.select(
        "value",
        F.col("_metadata.file_path").alias(SOURCE_FILE),
        F.current_timestamp().alias(INGESTED_AT),
    )


# A file that cannot be read to its end (cut-off or corrupt archive) or not opened at all (no
# permission: the local file system raises FileNotFoundException) must not stop the feed: Spark
# keeps the lines read before the fault, logs "Skipped ... file" and moves on (FileScanRDD; both
# are per-read options of every file source, FileSourceOptions). The CLI records such files.
LOCAL_FILE_FAULT_OPTIONS = {"ignoreCorruptFiles": "true", "ignoreMissingFiles": "true"}
# The file-stream source ignores a new file whose modification time is older than the newest
# file it has seen minus `maxFileAge` (default 7 days; FileStreamSource.SeenFilesMap.isNewFile),
# so a backfill, or a copy that keeps its timestamps, would vanish without a trace. A file's own
# timestamps must never decide whether it is read: the age limit is set beyond any real age (the
# price: the source remembers every file name it has read). Auto Loader has no such default
# (`cloudFiles.maxFileAge` is unset unless configured).
LOCAL_FILE_AGE_OPTIONS = {"maxFileAge": "3650000d"}


def read_landing_as_lines(spark: SparkSession, landing_path: str) -> DataFrame:
    """Local stand-in for Auto Loader: new files under the landing path, line by line."""
    return _as_lines(
        spark.readStream.format("text")
        .option("recursiveFileLookup", "true")
        .options(**LOCAL_FILE_FAULT_OPTIONS, **LOCAL_FILE_AGE_OPTIONS)
        .load(landing_path)
    )


# Auto Loader options (Databricks docs, "Auto Loader options"): `text` gives one row per line,
# column `value`, whatever the line holds; gzip is decompressed by file extension as for any
# Spark text source. `ignoreCorruptFiles` (generic file option, default false): a truncated or
# otherwise unreadable file does not stop the feed, the lines read before the damage are kept and
# the skip is counted as `numSkippedCorruptFiles` in the Delta history's operationMetrics.
# `ignoreMissingFiles` stays false (its Auto Loader default): a file that vanishes between
# listing and reading fails the update loudly rather than silently losing its events.
# `cloudFiles.useManagedFileEvents`: new files come from the file events of the landing external
# location (enabled by the stack, infra/catalog.py), not from listing the whole landing path on
# every update; the first run lists once to catch up ("Auto Loader with file events overview").
AUTO_LOADER_OPTIONS = {
    "cloudFiles.format": "text",
    "cloudFiles.useManagedFileEvents": "true",
    "ignoreCorruptFiles": "true",
    "ignoreMissingFiles": "false",
}


def read_landing_with_auto_loader(spark: SparkSession, landing_path: str) -> DataFrame:
    """Databricks: Auto Loader over the landing path, line by line, like the local reader."""
    return _as_lines(
        spark.readStream.format("cloudFiles").options(**AUTO_LOADER_OPTIONS).load(landing_path)
    )


def read_raw_events(spark: SparkSession, rt: Runtime) -> DataFrame:
    """The Bronze stream: landing lines (Auto Loader or the file stream), parsed and checked
    the same way."""
    if rt.is_databricks:
        lines = read_landing_with_auto_loader(spark, rt.landing_path)
    else:
        lines = read_landing_as_lines(spark, rt.landing_path)
    return ingest_lines(lines)
