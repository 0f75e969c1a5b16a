"""Raw retention of local runs: the setting, and which landing files are past the limit."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from clickstream_cli import local
from clickstream_cli.local_retention import (
    DEFAULT_RAW_RETENTION_DAYS,
    cutoff,
    expired_landing_files,
    holds_expired_rows,
    positive_days,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)


def test_the_default_is_the_stack_settings_default():
    settings = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]

    assert DEFAULT_RAW_RETENTION_DAYS == settings["rawRetentionDays"]["default"]


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "thirty", ""])
def test_the_limit_is_a_positive_whole_number_of_days(text):
    with pytest.raises(ValueError, match="positive whole number"):
        positive_days(text)


def test_the_run_command_rejects_a_bad_limit_before_doing_anything(tmp_path, capsys):
    args = ["run", "--landing", str(tmp_path), "--home", str(tmp_path / "home")]

    with pytest.raises(SystemExit) as exit_:
        local.main([*args, "--raw-retention-days", "0"])

    assert exit_.value.code == 2
    assert "positive whole number" in capsys.readouterr().err
    assert not (tmp_path / "home").exists()


def test_the_cutoff_is_the_limit_before_now_in_utc():
    east = NOW.astimezone(ZoneInfo("Asia/Tokyo"))

    assert cutoff(30, east) == datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _landed(folder: Path, name: str, age: timedelta) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"messageId":"m1"}\n')
    moment = (NOW - age).timestamp()
    os.utime(path, (moment, moment))
    return path


def test_landing_files_last_modified_before_the_cutoff_are_past_the_limit(tmp_path):
    old = _landed(tmp_path, "a/old.json.gz", timedelta(days=31))
    _landed(tmp_path, "b/new.json", timedelta(days=29))
    _landed(tmp_path, "exact.json", timedelta(days=30))

    assert expired_landing_files(tmp_path, cutoff(30, NOW)) == [old]


def test_hidden_files_spark_never_reads_are_not_landing_files(tmp_path):
    _landed(tmp_path, ".upload.tmp", timedelta(days=90))
    _landed(tmp_path, "_SUCCESS", timedelta(days=90))

    assert expired_landing_files(tmp_path, cutoff(30, NOW)) == []


@pytest.mark.parametrize(
    ("arrival", "past"),
    [(timedelta(days=30, microseconds=1), True), (timedelta(days=30), False)],
)
def test_a_table_holds_rows_past_the_limit_by_arrival_to_the_microsecond(
    spark, tmp_path, arrival, past
):
    """Read as Spark writes it (INT96 timestamps by default), without Spark."""
    table = tmp_path / "bronze_events"
    rows = [(NOW - arrival,), (NOW,)]
    spark.createDataFrame(rows, "_ingested_at timestamp").coalesce(1).write.parquet(str(table))

    assert holds_expired_rows(table, cutoff(30, NOW)) is past
