"""Rewrite a table's data files without some rows: one file at a time, each atomically.

Shared by ``forget`` (a person's rows) and raw retention (rows past the limit). Spark writes the
replacement of each data file that holds rows to remove into a scratch folder;
:func:`clickstream_cli.forget_files.replace_table_file` then puts it in the original's place
with the original's modification time, checksum and sink-log size, so the streaming readers of
the table (which remember files by path and time) never read it again. A rewrite killed half-way
leaves every file whole, old or new; :func:`clickstream_cli.forget_files.settle_table` repairs a
checksum or sink-log size left stale, and the next rewrite removes what is still to go.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame, SparkSession

from clickstream_cli.forget_files import replace_table_file


class TableRewriteError(Exception):
    """A data file could not be rewritten; it is left as it was."""


def local_path(uri: str) -> Path:
    """The local path of a ``file:`` URI as Spark reports it (``_metadata.file_path``)."""
    return Path(unquote(urlparse(uri).path))


def data_files_holding(frame: DataFrame, match: Column) -> dict[Path, int]:
    """The data files of ``frame`` (a table read by path) with rows where ``match`` is true, and
    how many each holds."""
    per_file = (
        frame.where(match).groupBy(F.col("_metadata.file_path").alias("file")).count().collect()
    )
    return {local_path(row["file"]): row["count"] for row in per_file}


def rewrite_without(
    spark: SparkSession, files: Mapping[Path, int], match: Column, work: Path
) -> int:
    """Rewrite each of ``files`` without its rows where ``match`` is true (a row where it is
    null stays); return the rows removed, as ``files`` counted them."""
    keep = ~F.coalesce(match, F.lit(False))
    removed = 0
    for target, count in sorted(files.items()):
        scratch = work / uuid.uuid4().hex
        spark.read.parquet(target.as_uri()).where(keep).coalesce(1).write.parquet(scratch.as_uri())
        written = sorted(scratch.glob("part-*.parquet"))
        if len(written) != 1:
            raise TableRewriteError(f"rewriting {target.name} gave {len(written)} files")
        replace_table_file(target, written[0])
        shutil.rmtree(scratch, ignore_errors=True)
        removed += count
    return removed
