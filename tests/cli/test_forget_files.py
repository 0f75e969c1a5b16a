"""Rewriting files for an erasure: only the person's lines go, everything else stays as it was."""

from __future__ import annotations

import bz2
import gzip
import os

import pytest

from clickstream.landing_lines import split_lines
from clickstream_cli.forget_files import (
    hadoop_checksum,
    rewrite_landing_file,
    scrub_side_files,
    settle_sink_log,
)

OLD = 1_600_000_000_000_000_000  # an mtime in ns, long ago


def _landed(path, data: bytes):
    path.write_bytes(data)
    os.utime(path, ns=(OLD, OLD))
    return path


def test_lines_split_and_join_back_to_the_same_bytes():
    data = b"a\r\nb\rc\n\nd"
    assert b"".join(c + e for c, e in split_lines(data)) == data
    assert [c for c, _ in split_lines(data)] == [b"a", b"b", b"c", b"", b"d"]


def test_only_the_named_lines_leave_a_plain_file(tmp_path):
    path = _landed(tmp_path / "events.json", b'{"a":1}\r\n{"person":1}\n{"b":2}\n{"person":1}')
    assert rewrite_landing_file(path, {'{"person":1}'}) == 2
    assert path.read_bytes() == b'{"a":1}\r\n{"b":2}\n'


def test_a_rewritten_file_keeps_its_modification_time_and_mode(tmp_path):
    path = _landed(tmp_path / "events.json", b"keep\ndrop\n")
    path.chmod(0o640)
    rewrite_landing_file(path, {"drop"})
    assert path.stat().st_mtime_ns == OLD
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_gzipped_file_stays_gzipped(tmp_path):
    path = _landed(tmp_path / "events.json.gz", gzip.compress(b"keep\ndrop\nkeep too\n"))
    rewrite_landing_file(path, {"drop"})
    assert gzip.decompress(path.read_bytes()) == b"keep\nkeep too\n"


def test_a_bzip2_file_stays_bzip2(tmp_path):
    path = _landed(tmp_path / "events.json.bz2", bz2.compress(b"drop\nkeep\n"))
    rewrite_landing_file(path, {"drop"})
    assert bz2.decompress(path.read_bytes()) == b"keep\n"


def test_a_file_without_the_person_is_not_touched(tmp_path):
    path = _landed(tmp_path / "events.json.gz", gzip.compress(b"keep\n"))
    before = path.read_bytes()
    assert rewrite_landing_file(path, {"drop"}) == 0
    assert path.read_bytes() == before


def test_a_cut_off_archive_keeps_its_readable_whole_lines_only(tmp_path):
    whole = gzip.compress(b"".join(b'{"n":%d}\n' % i for i in range(5000)) + b"drop\n")
    path = _landed(tmp_path / "cut.json.gz", whole[: len(whole) // 2])
    rewrite_landing_file(path, {'{"n":0}'})
    lines = gzip.decompress(path.read_bytes()).split(b"\n")
    assert lines[0] == b'{"n":1}' and lines[-1] == b""
    assert all(line.startswith(b'{"n":') and line.endswith(b"}") for line in lines[:-1])


def test_an_unsupported_compression_is_refused_and_left_alone(tmp_path):
    path = _landed(tmp_path / "events.json.zst", b"\x28\xb5\x2f\xfd")
    with pytest.raises(Exception, match="cannot be rewritten"):
        rewrite_landing_file(path, {"drop"})
    assert path.read_bytes() == b"\x28\xb5\x2f\xfd"


def test_the_checksum_is_hadoops_crc32_per_512_bytes():
    # The layout of a ChecksumFileSystem .crc file: magic, bytes per checksum, CRC-32s.
    data = bytes(range(256)) * 3
    crc = hadoop_checksum(data)
    assert crc[:8] == b"crc\x00\x00\x00\x02\x00"
    assert len(crc) == 8 + 4 * 2


def test_the_sink_log_records_the_new_size_of_a_rewritten_file(tmp_path):
    table = tmp_path / "t"
    (table / "_spark_metadata").mkdir(parents=True)
    part = table / "part-0.parquet"
    part.write_bytes(b"12345")
    entry = (
        f'{{"path":"file://{part}","size":99,"isDir":false,"modificationTime":1,'
        '"blockReplication":1,"blockSize":33554432,"action":"add"}'
    )
    (table / "_spark_metadata" / "0").write_text("v1\n" + entry)
    assert settle_sink_log(table) == 1
    assert '"size":5,' in (table / "_spark_metadata" / "0").read_text()
    assert (table / "_spark_metadata" / ".0.crc").is_file()


def test_side_files_lose_every_spelling_of_an_identifier(tmp_path):
    log = tmp_path / "logs" / "run.log"
    log.parent.mkdir()
    log.write_text("user Alice@Example.org did usr_1 things\nother line\n")
    assert scrub_side_files(tmp_path, {"alice@example.org", "usr_1"}) == [log]
    assert log.read_text() == "user [erased] did [erased] things\nother line\n"


def test_side_files_skip_tables_and_the_erasure_journal(tmp_path):
    journal = tmp_path / "state" / "erasure" / "pending" / "r.json"
    journal.parent.mkdir(parents=True)
    journal.write_text('{"given": "abc123"}')
    assert scrub_side_files(tmp_path, {"abc123"}) == []
