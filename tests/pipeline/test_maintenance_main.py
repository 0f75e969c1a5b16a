"""The maintenance jobs' command line (clickstream.maintenance_main), as the job definitions in
infra/maintenance.py call it."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from clickstream import erasure_job
from clickstream.maintenance_main import main
from clickstream.retention import retention_statements


def test_retain_runs_the_retention_statements_in_order():
    spark = MagicMock()

    assert main(["retain", "--catalog", "main", "--raw-schema", "raw", "--days", "30"], spark) == 0

    ran = [call.args[0] for call in spark.sql.call_args_list]
    assert ran == retention_statements("main", "raw", 30)


def test_erase_refuses_an_empty_request_id_before_reading_the_key():
    read_secret = MagicMock()
    argv = ["erase", "--request-id", " ", "--catalog", "c", "--schema", "s", "--raw-schema", "r"]
    with pytest.raises(SystemExit):
        main([*argv, "--key-scope", "k", "--key-name", "n"], MagicMock(), read_secret)
    read_secret.assert_not_called()


def test_an_unknown_step_is_refused():
    with pytest.raises(SystemExit, match="erase, landing, purge, retain"):
        main(["drop"], MagicMock())


def test_the_request_table_is_in_the_raw_schema():
    args = erasure_job.parse_args(
        ["--request-id", "r1", "--catalog", "c", "--schema", "s", "--raw-schema", "raw"]
        + ["--key-scope", "k", "--key-name", "n"]
    )
    assert args.requests == "`c`.`raw`.`erasure_requests`"


def test_the_landing_step_refuses_to_run_without_the_landing_folder():
    argv = ["landing", "--request-id", "r1", "--catalog", "c", "--schema", "s", "--raw-schema"]
    with pytest.raises(ValueError, match="--landing-path"):
        main(
            [*argv, "r", "--key-scope", "k", "--key-name", "n"],
            MagicMock(),
            lambda scope, key: "k" * 32,
            fs=MagicMock(),
        )
