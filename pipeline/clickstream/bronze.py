"""Bronze: every raw line kept, as it came, with what did not fit in ``_rescued_data``.

Two readers give the same columns:

* locally, the Spark file-stream source reads lines as text (plain or gzipped) and
  :func:`parse_raw_lines` parses them; the JSON reader's rescue option is ignored by open-source
  Spark, so unknown fields and malformed lines are rescued here, explicitly;
* on Databricks, Auto Loader (``cloudFiles``, json, all-string schema, rescue mode); its output
  is conformed to the same columns by :func:`conform_auto_loaded`.

Nothing is filtered in Bronze.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from clickstream.contract import (
    CORRUPT_RECORD_KEY,
    INGESTED_AT,
    RESCUED_DATA,
    SEGMENT_FIELDS,
    SOURCE_FILE,
)
from clickstream.schema import BRONZE_RAW_SCHEMA, BRONZE_SCHEMA_DDL

# Single-quoted pseudo-JSON is not JSON: other parsers reject it, so Bronze rescues it whole.
JSON_OPTIONS = {"allowSingleQuotes": "false", "mode": "PERMISSIVE"}


def _corrupt(line: Column) -> Column:
    return F.to_json(F.create_map(F.lit(CORRUPT_RECORD_KEY), line))


def parse_raw_lines(lines: DataFrame, line_col: str = "value") -> DataFrame:
    """Lines (``value``, ``_source_file``, ``_ingested_at``) -> Bronze columns.

    A line that is a JSON object gives one string column per Segment field (nested objects as
    their JSON text) and its unknown fields, as a JSON object, in ``_rescued_data``. Any other
    line (not JSON, a JSON array or scalar, blank) is kept whole in ``_rescued_data`` under
    ``_corrupt_record`` and leaves every field null.
    """
    line = F.col(line_col)
    # A byte-order mark (files saved by Windows tools) would make the first line unparsable.
    without_bom = F.when(line.startswith("\ufeff"), F.substring(line, 2, 1 << 30)).otherwise(line)
    fields = F.from_json(without_bom, "map<string,string>", JSON_OPTIONS)
    parsed = lines.select(F.col(line_col).alias("_line"), fields.alias("_fields"),
                          SOURCE_FILE, INGESTED_AT)
    known = F.array(*[F.lit(name) for name in SEGMENT_FIELDS])
    unknown = F.map_filter("_fields", lambda k, _v: ~F.array_contains(known, k))
    rescued = (
        F.when(F.col("_fields").isNull(), _corrupt(F.col("_line")))
        .when(F.size(unknown) > 0, F.to_json(unknown))
    )
    return parsed.select(
        *[F.col("_fields").getItem(name).alias(name) for name in SEGMENT_FIELDS],
        rescued.alias(RESCUED_DATA),
        SOURCE_FILE,
        INGESTED_AT,
    )


# A file that cannot be read to its end (cut-off or corrupt archive) or not opened at all (no
# permission: the local file system raises FileNotFoundException) must not stop the feed: Spark
# keeps the lines read before the fault, logs "Skipped ... file" and moves on (FileScanRDD; both
# are per-read options of every file source, FileSourceOptions). The CLI records such files.
LOCAL_FILE_FAULT_OPTIONS = {"ignoreCorruptFiles": "true", "ignoreMissingFiles": "true"}


def read_landing_as_lines(spark: SparkSession, landing_path: str) -> DataFrame:
    """Local stand-in for Auto Loader: new files under the landing path, line by line."""
    return (
        spark.readStream.format("text")
        .option("recursiveFileLookup", "true")
        .options(**LOCAL_FILE_FAULT_OPTIONS)
        .load(landing_path)
        .select(
            "value",
            F.col("_metadata.file_path").alias(SOURCE_FILE),
            F.current_timestamp().alias(INGESTED_AT),
        )
    )


# Auto Loader: JSON read with an explicit all-string schema (the same Segment fields as the schema
# hints, plus the corrupt-record column), so Bronze has exactly the local columns and a nested
# object is kept as its JSON text; rescue mode, so the schema never evolves and every other field
# lands in ``_rescued_data``; a line that is not JSON is kept whole in the corrupt-record column.
# The schema is explicit rather than inferred because a query function may not inspect its
# DataFrame's columns (that triggers analysis, which pipelines forbid in query functions).
AUTO_LOADER_CORRUPT_COLUMN = "_corrupt_record"
AUTO_LOADER_SCHEMA = StructType(
    list(BRONZE_RAW_SCHEMA.fields) + [StructField(AUTO_LOADER_CORRUPT_COLUMN, StringType())]
)
AUTO_LOADER_OPTIONS = {
    "cloudFiles.format": "json",
    "cloudFiles.schemaHints": BRONZE_SCHEMA_DDL,
    "cloudFiles.schemaEvolutionMode": "rescue",
    "rescuedDataColumn": RESCUED_DATA,
    "columnNameOfCorruptRecord": AUTO_LOADER_CORRUPT_COLUMN,
    "allowSingleQuotes": "false",
    "mode": "PERMISSIVE",
}


def read_landing_with_auto_loader(spark: SparkSession, landing_path: str) -> DataFrame:
    """Databricks: Auto Loader over the landing path, shaped like :func:`parse_raw_lines`."""
    reader = spark.readStream.format("cloudFiles").schema(AUTO_LOADER_SCHEMA)
    for key, value in AUTO_LOADER_OPTIONS.items():
        reader = reader.option(key, value)
    return conform_auto_loaded(
        reader.load(landing_path).select(
            "*",
            F.col("_metadata.file_path").alias(SOURCE_FILE),
            F.current_timestamp().alias(INGESTED_AT),
        )
    )


def conform_auto_loaded(auto_loaded: DataFrame) -> DataFrame:
    """Auto Loader's output -> exactly the Bronze columns of a local run.

    A corrupt line is kept whole under ``_corrupt_record`` inside ``_rescued_data``, as
    :func:`parse_raw_lines` keeps it."""
    corrupt = F.col(AUTO_LOADER_CORRUPT_COLUMN)
    rescued = F.when(corrupt.isNotNull(), _corrupt(corrupt)).otherwise(F.col(RESCUED_DATA))
    return auto_loaded.select(
        *SEGMENT_FIELDS, rescued.alias(RESCUED_DATA), SOURCE_FILE, INGESTED_AT
    )
