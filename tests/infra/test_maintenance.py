"""MaintenanceJobs: the erasure job (on demand) and the retention job (daily), exactly as the
Jobs API receives them, and the erasure requests table."""

from __future__ import annotations

import pytest

from infra.maintenance import RETENTION_CRON
from infra.pipeline import source_files

JOB = "databricks:index/job:Job"
TABLE = "databricks:index/sqlTable:SqlTable"
FILE = "databricks:index/workspaceFile:WorkspaceFile"
RUN_AS = "00000000-0000-4000-8000-00000000f0f0"  # Pulumi.prod.yaml, preview stand-in
DEPLOYER = "00000000-0000-4000-8000-00000000f0de"
ROOT = f"/Workspace/Users/{DEPLOYER}/.clickstream-lakeflow/prod"
ENTRY = f"{ROOT}/jobs/maintenance.py"
KEY_ARGS = ["--key-scope", "clickstream-prod", "--key-name", "pii-hash-key"]
SCHEMAS = ["--catalog", "clickstream_prod", "--schema", "clickstream_dlt"]
REQUEST = [
    "--request-id",
    "{{job.parameters.request_id}}",
    *SCHEMAS,
    "--raw-schema",
    "clickstream_dlt_raw",
    *KEY_ARGS,
]
SERVERLESS = [{"environmentKey": "maintenance", "spec": {"environmentVersion": "3"}}]


def job(plan, suffix: str) -> dict:
    (found,) = [j for j in plan.of_type(JOB) if j.inputs["name"].endswith(suffix)]
    return found.inputs


def python_task(key: str, step: str, parameters: list[str], after: tuple[str, ...] = ()) -> dict:
    task = {
        "taskKey": key,
        "environmentKey": "maintenance",
        "sparkPythonTask": {
            "pythonFile": ENTRY,
            "parameters": ["--root", ROOT, step, *parameters],
        },
    }
    if after:
        task["dependsOns"] = [{"taskKey": k} for k in after]
    return task


def test_erasure_job_erases_rewrites_landing_and_refreshes_then_purges(deploy):
    plan = deploy("prod")
    erasure = job(plan, "-erasure")
    landing = [*REQUEST, "--landing-path", plan.outputs["landing_url"]]
    assert erasure["tasks"] == [
        python_task("erase", "erase", REQUEST),
        python_task("landing", "landing", landing, after=("erase",)),
        {
            "taskKey": "refresh",
            "dependsOns": [{"taskKey": "erase"}],
            "pipelineTask": {"pipelineId": plan.outputs["pipeline_id"]},
        },
        python_task("purge", "purge", REQUEST, after=("landing", "refresh")),
    ]


def test_the_landing_task_gets_the_landing_folder_the_pipeline_reads(deploy):
    plan = deploy("prod")
    (pipeline,) = plan.of_type("databricks:index/pipeline:Pipeline")
    (landing,) = [t for t in job(plan, "-erasure")["tasks"] if t["taskKey"] == "landing"]
    parameters = landing["sparkPythonTask"]["parameters"]
    folder = parameters[parameters.index("--landing-path") + 1]
    assert folder == pipeline.inputs["configuration"]["clickstream.landing_path"]
    assert folder.startswith("abfss://") and folder.endswith("/")


def test_erasure_job_takes_only_a_request_id_never_an_identifier(deploy):
    erasure = job(deploy("prod"), "-erasure")
    assert erasure["parameters"] == [{"name": "request_id", "default": ""}]


def test_a_continuous_pipeline_is_not_refreshed_by_the_erasure_job(deploy):
    plan = deploy(set={"trigger": "continuous"}, unset=("scheduleCron",))
    assert [t["taskKey"] for t in job(plan, "-erasure")["tasks"]] == ["erase", "landing", "purge"]


@pytest.mark.parametrize("suffix", ["-erasure", "-retention"])
def test_maintenance_jobs_are_serverless_one_run_at_a_time_as_the_run_as_principal(deploy, suffix):
    inputs = job(deploy("prod"), suffix)
    assert inputs["environments"] == SERVERLESS
    assert inputs["runAs"] == {"servicePrincipalName": RUN_AS}
    assert inputs["maxConcurrentRuns"] == 1
    for task in inputs["tasks"]:
        assert "newCluster" not in task and "existingClusterId" not in task
        assert "jobClusterKey" not in task


def test_retention_job_deletes_raw_rows_past_the_stack_limit_daily(deploy):
    retention = job(deploy("prod"), "-retention")
    assert retention["tasks"] == [
        python_task(
            "retain",
            "retain",
            [
                "--catalog",
                "clickstream_prod",
                "--raw-schema",
                "clickstream_dlt_raw",
                "--days",
                "30",
            ],
        )
    ]
    assert retention["schedule"] == {
        "quartzCronExpression": "0 30 3 * * ?",
        "timezoneId": "UTC",
        "pauseStatus": "UNPAUSED",
    }
    assert RETENTION_CRON == "0 30 3 * * ?"


def test_retention_days_follow_the_stack_setting(deploy):
    retention = job(deploy("prod", set={"rawRetentionDays": "9"}), "-retention")
    assert retention["tasks"][0]["sparkPythonTask"]["parameters"][-2:] == ["--days", "9"]


def test_jobs_wait_for_the_entry_file_they_run(deploy):
    plan = deploy("prod")
    (entry,) = [f for f in plan.of_type(FILE) if f.inputs["path"].endswith("/jobs/maintenance.py")]
    for found in plan.of_type(JOB):
        if found.inputs["name"].endswith(("-erasure", "-retention")):
            assert any(d.endswith(f"::{entry.name}") for d in found.dependencies)


def test_the_real_entry_file_is_among_the_uploads():
    assert "jobs/maintenance.py" in {f.relative for f in source_files()}


def test_erasure_requests_table_lives_in_the_raw_schema_owned_by_admins(deploy):
    (table,) = deploy("prod").of_type(TABLE)
    inputs = table.inputs
    assert (inputs["catalogName"], inputs["schemaName"], inputs["name"]) == (
        "clickstream_prod",
        "clickstream_dlt_raw",
        "erasure_requests",
    )
    assert inputs["tableType"] == "MANAGED"
    assert inputs["owner"] == "databricks-project-admins"
    assert [c["name"] for c in inputs["columns"]] == [
        "request_id",
        "requested_at",
        "status",
        "user_ids",
        "anonymous_ids",
        "emails",
        "subject",
        "erased",
        "landing_files",
    ]
