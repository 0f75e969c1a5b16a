"""What `clickstream-cloud run` says when interrupted, when its own checks fail, and in a CI log."""

from cloud_fakes import PIPELINE_ID, UPDATE_ID, flow_event, update_event
from databricks.sdk.service.pipelines import StartUpdateResponse

from clickstream_cli.progress_view import output_console


def interrupting_pulumi(command, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_before_the_start_says_no_update_was_started(cli):
    result = cli("run", "--stack", "dev", pulumi=interrupting_pulumi)

    assert result.exit_code == 130
    assert "no update was started" in result.err
    assert "goes on" not in result.err


def test_ctrl_c_while_starting_says_how_to_check_whether_it_started(cli, workspace):
    workspace.client.pipelines.start_update.side_effect = KeyboardInterrupt

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 130
    assert "clickstream-cloud status --stack dev" in result.err
    assert "goes on" not in result.err


def test_ctrl_c_while_following_says_the_update_goes_on(cli, workspace):
    workspace.client.pipelines.get_update.side_effect = KeyboardInterrupt

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 130
    assert f"stopped following update {UPDATE_ID}; it goes on" in result.err


def test_an_answer_without_update_id_is_not_reported_as_an_authentication_failure(cli, workspace):
    workspace.client.pipelines.start_update.return_value = StartUpdateResponse(update_id=None)

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 2
    assert "without an update_id" in result.err
    assert "authentication" not in result.err and "credentials" not in result.err


LONG_FLOW = "gold_sessions_by_acquisition_channel_and_landing_page_daily"


def test_in_a_log_the_url_stays_on_one_line_and_flow_names_whole(
    cli, stub, sdk_client, fake_time, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "60")  # what a narrow CI runner may announce
    stub.states = ["COMPLETED"]
    stub.batches = [
        [
            flow_event(LONG_FLOW, "COMPLETED", rows=5, expectations={"has_ts": (5, 0)}, seq=1),
            update_event("COMPLETED", seq=2),
        ]
    ]

    result = cli(
        "run", "--stack", "dev", client_factory=sdk_client, time=fake_time, console=output_console
    )

    url = f"{stub.url}/#joblist/pipelines/{PIPELINE_ID}/updates/{UPDATE_ID}"
    assert f"  {url}\n" in result.out
    assert any(LONG_FLOW in line and "│" in line for line in result.out.splitlines())
    assert "…" not in result.out


def test_on_a_terminal_the_console_keeps_the_terminals_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich: behave as a terminal

    assert output_console().width == 60
