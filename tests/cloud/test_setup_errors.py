"""What `clickstream-cloud` says when it cannot start: one line on stderr, exit code 2."""

import subprocess
import time

from cloud_fakes import HOST, fake_pulumi
from databricks.sdk.errors import NotFound, Unauthenticated

from clickstream_cli.workspace import make_client


def assert_one_line(err: str) -> None:
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_missing_credentials_fail_fast_saying_what_to_set(cli, no_databricks_credentials):
    started = time.monotonic()

    result = cli("run", "--stack", "dev", client_factory=make_client)

    assert time.monotonic() - started < 5
    assert result.exit_code == 2
    assert "DATABRICKS_HOST" in result.err and "DATABRICKS_TOKEN" in result.err
    assert "--profile" in result.err
    assert_one_line(result.err)


def test_unknown_profile_is_named_in_the_error(cli, no_databricks_credentials):
    result = cli("run", "--stack", "dev", "--profile", "nope", client_factory=make_client)

    assert result.exit_code == 2
    assert "profile 'nope'" in result.err
    assert_one_line(result.err)


def test_unknown_stack_gives_one_clear_line(cli):
    pulumi = fake_pulumi(returncode=255, stderr="error: no stack named 'qa' found\n")

    result = cli("run", "--stack", "qa", pulumi=pulumi)

    assert result.exit_code == 2
    assert "unknown stack 'qa'" in result.err
    assert_one_line(result.err)


def test_missing_pulumi_cli_gives_one_clear_line(cli):
    def no_pulumi(command, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", "pulumi")

    result = cli("run", "--stack", "dev", pulumi=no_pulumi)

    assert result.exit_code == 2
    assert "`pulumi` CLI is not on PATH" in result.err
    assert_one_line(result.err)


def test_pulumi_that_does_not_answer_times_out(cli):
    def hanging_pulumi(command, **kwargs):
        assert kwargs["timeout"] > 0 and kwargs["stdin"] is subprocess.DEVNULL
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    result = cli("run", "--stack", "dev", pulumi=hanging_pulumi)

    assert result.exit_code == 2
    assert "did not answer" in result.err
    assert_one_line(result.err)


def test_stack_without_pipeline_id_output_says_to_deploy(cli):
    result = cli("run", "--stack", "dev", outputs={"catalog_name": "clickstream_dev"})

    assert result.exit_code == 2
    assert "no 'pipeline_id' output" in result.err
    assert "pulumi up --stack dev" in result.err
    assert_one_line(result.err)


def test_unreachable_workspace_gives_one_line(cli, workspace):
    workspace.client.pipelines.start_update.side_effect = TimeoutError("Timed out after 0:00:03")

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 2
    assert f"cannot reach {HOST}" in result.err
    assert_one_line(result.err)


def test_rejected_token_says_what_to_set(cli, workspace):
    workspace.client.pipelines.start_update.side_effect = Unauthenticated("Invalid access token.")

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 2
    assert "rejected the credentials" in result.err and "DATABRICKS_TOKEN" in result.err
    assert_one_line(result.err)


def test_pipeline_missing_from_the_workspace_gives_one_line(cli, workspace):
    workspace.client.pipelines.start_update.side_effect = NotFound("Pipeline x does not exist")

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 2
    assert "not found" in result.err and "Pipeline x does not exist" in result.err
    assert_one_line(result.err)
