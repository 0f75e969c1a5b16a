"""What `clickstream-cloud run` says when interrupted, when its own checks fail, and in a CI log."""

import pytest
from cloud_fakes import PIPELINE_ID, UPDATE_ID, flow_event, update_event
from databricks.sdk.service.pipelines import StartUpdateResponse

from clickstream_cli.progress_view import output_console


def interrupting_pulumi(command, **kwargs):
    raise KeyboardInterrupt


def ctrl_c_while(step: str, cli, workspace):
    """``clickstream-cloud run`` interrupted by Ctrl-C while doing ``step``."""
    if step == "reading the stack":
        return cli("run", "--stack", "dev", pulumi=interrupting_pulumi)
    api = workspace.client.pipelines
    {"starting": api.start_update, "following": api.get_update}[
        step
    ].side_effect = KeyboardInterrupt
    return cli("run", "--stack", "dev")


@pytest.mark.parametrize(
    ("step", "says", "never_says"),
    [
        ("reading the stack", "no update was started", "goes on"),
        ("starting", "clickstream-cloud status --stack dev", "goes on"),
        ("following", f"stopped following update {UPDATE_ID}; it goes on", "no update"),
    ],
)
def test_ctrl_c_says_what_became_of_the_update(cli, workspace, step, says, never_says):
    result = ctrl_c_while(step, cli, workspace)

    assert result.exit_code == 130
    assert says in result.err
    assert never_says not in result.err


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
