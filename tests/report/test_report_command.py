"""`clickstream-local report` without Spark: what it says when there is nothing to report."""

import pytest

from clickstream_cli import local


def test_report_without_a_previous_run_says_to_run_first(tmp_path, capsys):
    assert local.main(["report", "--home", str(tmp_path)]) == 2
    assert "clickstream-local run" in capsys.readouterr().err
    assert not (tmp_path / "report.html").exists()


def test_report_needs_a_home(capsys):
    with pytest.raises(SystemExit) as exit_:
        local.main(["report"])
    assert exit_.value.code == 2
    assert "--home" in capsys.readouterr().err
