"""`clickstream-cloud run` reports the refresh technique each materialized view's update chose.

The events follow the pipeline event log schema's ``planning_information`` details
(TechniqueInformation: maintenance_type, is_chosen, is_applicable, incrementalization_issues).
"""

from cloud_fakes import PIPELINE_ID, UPDATE_ID, flow_event

from clickstream_cli.refresh_report import RefreshReport, planning_of


def planning_event(table: str, chosen: str, *issues: dict, seq: int = 0) -> dict:
    """A ``planning_information`` event: ``chosen`` picked, a complete recompute considered."""
    techniques = [
        {
            "maintenance_type": f"MAINTENANCE_TYPE_{chosen}",
            "is_chosen": True,
            "is_applicable": True,
        },
    ]
    if chosen != "COMPLETE_RECOMPUTE":
        techniques.append(
            {"maintenance_type": "MAINTENANCE_TYPE_COMPLETE_RECOMPUTE", "is_chosen": False,
             "is_applicable": True}
        )  # fmt: skip
    techniques[0]["incrementalization_issues"] = list(issues)
    return {
        "id": f"plan-{table}-{seq}",
        "timestamp": f"2026-01-01T00:01:{seq:02d}.000Z",
        "event_type": "planning_information",
        "level": "INFO",
        "message": f"Flow '{table}' has been planned in DLT to be executed as {chosen}.",
        "origin": {
            "pipeline_id": PIPELINE_ID,
            "update_id": UPDATE_ID,
            "dataset_name": f"`clickstream_dev`.`clickstream_dlt`.`{table}`",
            "flow_name": f"`clickstream_dev`.`clickstream_dlt`.`{table}`",
        },
        "details": {"planning_information": {"technique_information": techniques}},
    }


JOIN_UNDER_AGGREGATE = {
    "issue_type": "PLAN_NOT_INCREMENTALIZABLE",
    "prevent_incrementalization": True,
    "plan_not_incrementalizable_sub_type": "AGGREGATE_NOT_TOP_NODE",
    "operator_name": "Join",
}
FIRST_RUN = {"issue_type": "CHANGE_SET_MISSING", "prevent_incrementalization": True}


def run_with(workspace, *events):
    workspace.script(
        ["RUNNING", "COMPLETED"],
        [[flow_event("gold_daily_counts", "RUNNING", seq=1)], [*events]],
    )


def test_each_view_shows_the_technique_its_update_chose(cli, workspace):
    run_with(
        workspace,
        planning_event("gold_daily_counts", "GROUP_AGGREGATE", seq=2),
        planning_event("gold_session_starts", "WINDOW_FUNCTION", seq=3),
        planning_event("gold_daily_metrics", "COMPLETE_RECOMPUTE", seq=4),
    )

    result = cli("run", "--stack", "dev")

    assert result.exit_code == 0
    lines = result.out.splitlines()
    assert any("gold_daily_counts" in x and "GROUP_AGGREGATE" in x and "incremental" in x
               for x in lines)  # fmt: skip
    assert any("gold_session_starts" in x and "WINDOW_FUNCTION" in x for x in lines)
    assert any("gold_daily_metrics" in x and "full refresh (declared)" in x for x in lines)
    assert "warning" not in result.out


def test_an_unplanned_complete_recompute_is_warned_about_with_its_reason(cli, workspace):
    run_with(
        workspace, planning_event("gold_daily_counts", "COMPLETE_RECOMPUTE", JOIN_UNDER_AGGREGATE)
    )

    result = cli("run", "--stack", "dev")

    assert (
        "warning: gold_daily_counts was fully recomputed instead of refreshed incrementally: "
        "PLAN_NOT_INCREMENTALIZABLE/AGGREGATE_NOT_TOP_NODE (Join)"
    ) in result.out


def test_a_first_computation_is_a_full_refresh_without_a_warning():
    report = RefreshReport()
    report.add(planning_event("gold_identity_links", "COMPLETE_RECOMPUTE", FIRST_RUN))

    assert report.warnings() == []
    assert report.plannings["gold_identity_links"].verdict() == "full refresh (first computation)"


def test_a_complete_recompute_without_a_reason_still_warns():
    report = RefreshReport()
    report.add(planning_event("gold_quality_counts", "COMPLETE_RECOMPUTE"))

    assert report.warnings() == [
        "gold_quality_counts was fully recomputed instead of refreshed incrementally: "
        "the event log names no reason"
    ]


def test_an_unchanged_view_is_neither_incremental_nor_a_fallback():
    planning = planning_of(planning_event("gold_daily_identities", "NO_OP"))

    assert planning is not None
    assert (planning.incremental, planning.fallback, planning.verdict()) == (
        False, False, "unchanged",
    )  # fmt: skip


def test_other_events_and_planning_without_a_chosen_technique_are_ignored():
    unchosen = planning_event("gold_daily_counts", "GROUP_AGGREGATE")
    unchosen["details"]["planning_information"]["technique_information"][0]["is_chosen"] = False

    assert planning_of(flow_event("gold_daily_counts", "COMPLETED")) is None
    assert planning_of(unchosen) is None
    assert planning_of({"event_type": "planning_information"}) is None


def test_a_run_without_planning_events_prints_no_technique_table(cli, workspace):
    run_with(workspace, flow_event("gold_daily_counts", "COMPLETED", seq=2))

    result = cli("run", "--stack", "dev")

    assert "Refresh technique" not in result.out
