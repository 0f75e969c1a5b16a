"""``clickstream-local generate`` (clickstream_cli.generate): arguments in, a summary out."""

from __future__ import annotations

import argparse
import json

import pytest

from clickstream_cli import local
from clickstream_cli.generate import add_generate_arguments, run_generate


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_generate_arguments(parser)
    return parser.parse_args(argv)


def test_cli_writes_the_manifest_and_prints_a_summary(tmp_path, capsys):
    args = parse(
        [
            "--out",
            str(tmp_path / "in"),
            "--events",
            "300",
            "--seed",
            "9",
            "--start",
            "2025-04-01T00:00:00Z",
            "--days",
            "2",
            "--manifest",
            str(tmp_path / "m.json"),
        ]
    )
    assert run_generate(args) == 0
    written = json.loads((tmp_path / "m.json").read_text())
    assert written["valid_events"] == 300 and written["start"].startswith("2025-04-01")
    assert "300 distinct valid events" in capsys.readouterr().out


@pytest.mark.parametrize("flag", ["--events", "--days"])
def test_counts_below_one_are_rejected_before_anything_is_written(tmp_path, flag, capsys):
    argv = ["--out", str(tmp_path / "in"), "--events", "10", flag, "0"]
    with pytest.raises(SystemExit):
        parse(argv)
    assert "must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "in").exists()


def test_a_start_that_is_not_iso_8601_is_rejected(tmp_path, capsys):
    with pytest.raises(SystemExit):
        parse(["--out", str(tmp_path), "--events", "10", "--start", "next tuesday"])
    assert "not an ISO-8601 date/time" in capsys.readouterr().err


def test_an_existing_file_is_a_clear_error_with_exit_code_2(tmp_path, capsys):
    args = parse(["--out", str(tmp_path), "--events", "50", "--seed", "4"])
    assert run_generate(args) == 0

    assert run_generate(args) == 2
    assert "refusing to overwrite" in capsys.readouterr().err


def test_clickstream_local_generate_writes_the_landing_folder(tmp_path, capsys):
    code = local.main(["generate", "--out", str(tmp_path / "in"), "--events", "50"])

    assert code == 0
    assert list((tmp_path / "in").iterdir())
    assert "50 distinct valid events" in capsys.readouterr().out
