"""`clickstream-cloud status`: the last updates of the stack's pipeline and their state."""

from cloud_fakes import PIPELINE_ID
from databricks.sdk.service.pipelines import (
    ListUpdatesResponse,
    UpdateInfo,
    UpdateInfoCause,
    UpdateInfoState,
)


def updates(*infos: UpdateInfo) -> ListUpdatesResponse:
    return ListUpdatesResponse(updates=list(infos))


def row(out: str, update_id: str) -> str:
    """The table line of one update."""
    return next(line for line in out.splitlines() if f" {update_id} " in line)


def test_status_lists_the_last_updates_with_their_state(cli, workspace):
    workspace.client.pipelines.list_updates.return_value = updates(
        UpdateInfo(
            update_id="u-3",
            state=UpdateInfoState.FAILED,
            cause=UpdateInfoCause.API_CALL,
            creation_time=1_767_225_600_000,
            refresh_selection=["silver_events"],
        ),
        UpdateInfo(update_id="u-2", state=UpdateInfoState.COMPLETED, full_refresh=True),
        UpdateInfo(update_id="u-1", state=UpdateInfoState.COMPLETED),
    )

    result = cli("status", "--stack", "dev")

    assert result.exit_code == 0
    lines = result.out.splitlines()
    assert any(
        "u-3" in line and "FAILED" in line and "tables: silver_events" in line for line in lines
    )
    assert any("u-2" in line and "COMPLETED" in line and "full refresh" in line for line in lines)
    assert any("u-1" in line and "all tables" in line for line in lines)
    assert "2026-01-01 00:00:00" in result.out


def test_status_asks_for_the_requested_number_of_updates(cli, workspace):
    workspace.client.pipelines.list_updates.return_value = updates()

    cli("status", "--stack", "dev", "--limit", "3")

    workspace.client.pipelines.list_updates.assert_called_once_with(PIPELINE_ID, max_results=3)


def test_status_of_a_pipeline_never_run_says_so(cli, workspace):
    workspace.client.pipelines.list_updates.return_value = updates()

    result = cli("status", "--stack", "dev")

    assert result.exit_code == 0
    assert f"Pipeline {PIPELINE_ID} has no updates yet." in result.out


def test_status_does_not_start_an_update(cli, workspace):
    workspace.client.pipelines.list_updates.return_value = updates()

    cli("status", "--stack", "dev")

    workspace.client.pipelines.start_update.assert_not_called()
