"""`clickstream-cloud run`: start an update of the stack's pipeline and follow it to the end."""

from cloud_fakes import PIPELINE_ID, UPDATE_ID, flow_event

COMPLETED_RUN = (
    ["RUNNING", "COMPLETED"],
    [
        [flow_event("bronze_events", "RUNNING", seq=1)],
        [
            flow_event("bronze_events", "COMPLETED", rows=1200, seq=2),
            flow_event(
                "silver_events",
                "COMPLETED",
                rows=1150,
                expectations={"has_message_id": (1180, 20), "valid_json": (1195, 5)},
                seq=3,
            ),
        ],
    ],
)


def test_update_is_started_for_the_pipeline_id_in_the_stack_outputs(cli, workspace):
    workspace.script(*COMPLETED_RUN)

    cli("run", "--stack", "dev")

    workspace.client.pipelines.start_update.assert_called_once_with(PIPELINE_ID)


def test_full_refresh_flag_requests_a_full_refresh(cli, workspace):
    workspace.script(*COMPLETED_RUN)

    cli("run", "--stack", "dev", "--full-refresh")

    workspace.client.pipelines.start_update.assert_called_once_with(PIPELINE_ID, full_refresh=True)


def test_table_flags_refresh_only_those_tables(cli, workspace):
    workspace.script(*COMPLETED_RUN)

    cli("run", "--stack", "dev", "--table", "silver_events", "--table", "gold_sessions")

    workspace.client.pipelines.start_update.assert_called_once_with(
        PIPELINE_ID, refresh_selection=["silver_events", "gold_sessions"]
    )


def test_full_refresh_with_tables_resets_only_those_tables(cli, workspace):
    workspace.script(*COMPLETED_RUN)

    cli("run", "--stack", "dev", "--full-refresh", "--table", "gold_sessions")

    workspace.client.pipelines.start_update.assert_called_once_with(
        PIPELINE_ID, full_refresh_selection=["gold_sessions"]
    )


def test_progress_shows_flow_states_rows_written_and_expectation_counts(cli, workspace):
    workspace.script(*COMPLETED_RUN)

    out = cli("run", "--stack", "dev").out

    assert "bronze_events RUNNING" in out  # a state change, as a log line
    assert "bronze_events" in out and "1,200" in out
    assert "silver_events" in out and "1,150" in out
    assert "has_message_id 1,180 / 20" in out
    assert "valid_json 1,195 / 5" in out


def test_completed_update_exits_zero(cli, workspace):
    workspace.script(*COMPLETED_RUN)

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 0
    assert f"Update {UPDATE_ID} completed." in result.out


def test_failed_flow_exits_non_zero_with_that_flows_error(cli, workspace):
    workspace.script(
        ["RUNNING", "FAILED"],
        [
            [flow_event("bronze_events", "COMPLETED", rows=10, seq=1)],
            [
                flow_event(
                    "silver_events",
                    "FAILED",
                    error="[UNRESOLVED_COLUMN] A column `messageId` cannot be resolved.\nplan...",
                    seq=2,
                )
            ],
        ],
    )

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 1
    assert "flow 'silver_events' failed" in result.err
    assert "[UNRESOLVED_COLUMN] A column `messageId` cannot be resolved." in result.err
    assert "plan..." not in result.err  # one line, not the whole stack


def test_canceled_update_exits_non_zero(cli, workspace):
    workspace.script(["RUNNING", "CANCELED"], [[], []])

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 1
    assert "CANCELED" in result.err


def test_following_polls_until_the_update_ends_with_injected_sleep(cli, workspace):
    workspace.script(["QUEUED", "INITIALIZING", "RUNNING", "COMPLETED"], [[], [], [], []])

    result = cli("run", "--stack", "dev")

    assert workspace.client.pipelines.get_update.call_count == 4
    assert result.sleeps == [5.0, 5.0, 5.0]


def test_fully_qualified_flow_names_are_shown_by_table_name(cli, workspace):
    qualified = "`clickstream`.`clickstream_dlt`.`gold_sessions`"
    workspace.script(["COMPLETED"], [[flow_event(qualified, "COMPLETED")]])

    out = cli("run", "--stack", "dev").out

    assert "gold_sessions COMPLETED" in out
    assert "`clickstream`" not in out


def test_a_failure_reported_late_in_the_event_log_is_still_named(cli, workspace):
    late = flow_event("gold_sessions", "FAILED", error="DIVIDE_BY_ZERO", seq=1)
    workspace.script(["FAILED"], [[], [late]])

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 1
    assert "flow 'gold_sessions' failed: SparkException: DIVIDE_BY_ZERO" in result.err


def test_on_a_terminal_the_flow_table_is_drawn_live(cli, workspace):
    workspace.script(*COMPLETED_RUN)

    result = cli("run", "--stack", "dev", terminal=True)

    assert result.exit_code == 0
    assert "has_message_id 1,180 / 20" in result.out


DASHBOARD_URL = "https://adb-1.2.azuredatabricks.net/dashboardsv3/01f0abc/published"


def test_a_completed_run_prints_the_dashboard_url_from_the_stack_outputs(cli, workspace):
    workspace.script(*COMPLETED_RUN)

    result = cli(
        "run",
        "--stack",
        "dev",
        outputs={"pipeline_id": PIPELINE_ID, "dashboard_url": DASHBOARD_URL},
    )

    assert result.exit_code == 0
    assert f"Dashboard: {DASHBOARD_URL}" in result.out


def test_a_stack_without_a_dashboard_output_prints_no_dashboard_line(cli, workspace):
    workspace.script(*COMPLETED_RUN)

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 0
    assert "Dashboard:" not in result.out
