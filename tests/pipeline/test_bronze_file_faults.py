"""The local Bronze read goes on past files it cannot read, keeping what it could read."""

from __future__ import annotations

import gzip

from clickstream.bronze_events import read_landing_as_lines
from clickstream.contract import SOURCE_FILE

LINES = [f'{{"messageId":"m{i:04d}","type":"page"}}' for i in range(3000)]


def test_local_read_keeps_readable_lines_and_skips_unreadable_files(spark, tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    whole = gzip.compress(("\n".join(LINES) + "\n").encode())
    (landing / "good.json.gz").write_bytes(whole)
    (landing / "cut-off.json.gz").write_bytes(whole[:1500])
    (landing / "empty.json.gz").write_bytes(b"")
    (landing / "not-gzip.json.gz").write_bytes(b"plain text\n")

    query = (
        read_landing_as_lines(spark, landing.as_uri())
        .writeStream.format("memory")
        .queryName("landing_lines")
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    rows = spark.table("landing_lines").collect()

    by_file: dict[str, list[str]] = {}
    for row in rows:
        by_file.setdefault(row[SOURCE_FILE].rsplit("/", 1)[-1], []).append(row.value)
    assert by_file["good.json.gz"] == LINES
    cut = by_file["cut-off.json.gz"]
    assert 0 < len(cut) < len(LINES)
    assert cut == LINES[: len(cut)]  # whole lines from the start, no half line
    assert set(by_file) == {"good.json.gz", "cut-off.json.gz"}
