"""LakeflowPipeline: uploaded code, a serverless pipeline, its trigger and permissions."""

import base64

PIPELINE = "databricks:index/pipeline:Pipeline"
FILE = "databricks:index/workspaceFile:WorkspaceFile"
JOB = "databricks:index/job:Job"
PERMISSIONS = "databricks:index/permissions:Permissions"
ROOT = "/Workspace/Shared/clickstream-lakeflow/dev"


def uploads(plan):
    return {f.inputs["path"]: f.inputs for f in plan.of_type(FILE)}


def test_uploads_transformations_and_the_clickstream_package_only(deploy):
    assert sorted(uploads(deploy())) == [
        "/Shared/clickstream-lakeflow/dev/clickstream/__init__.py",
        "/Shared/clickstream-lakeflow/dev/clickstream/runtime.py",
        "/Shared/clickstream-lakeflow/dev/transformations/bronze_events.py",
        "/Shared/clickstream-lakeflow/dev/transformations/silver_events.py",
    ]


def test_upload_carries_the_file_content(deploy):
    runtime = uploads(deploy())["/Shared/clickstream-lakeflow/dev/clickstream/runtime.py"]
    assert base64.b64decode(runtime["contentBase64"]) == b"RUNTIME = 1\n"


def test_upload_changes_when_a_file_content_changes(deploy, pipeline_dir):
    path = "/Shared/clickstream-lakeflow/dev/transformations/bronze_events.py"
    before = uploads(deploy())[path]
    (pipeline_dir / "transformations/bronze_events.py").write_text("# bronze v2\n")
    after = uploads(deploy())[path]
    assert after["contentBase64"] != before["contentBase64"]
    assert after["md5"] != before["md5"]


def test_upload_of_an_unchanged_file_stays_the_same(deploy, pipeline_dir):
    path = "/Shared/clickstream-lakeflow/dev/clickstream/runtime.py"
    before = uploads(deploy())[path]
    (pipeline_dir / "transformations/bronze_events.py").write_text("# bronze v2\n")
    assert uploads(deploy())[path] == before


def test_workspace_folder_is_stack_scoped(deploy):
    assert deploy("dev").outputs["workspace_folder"] == "/Shared/clickstream-lakeflow/dev"
    assert deploy("prod").outputs["workspace_folder"] == "/Shared/clickstream-lakeflow/prod"


def test_real_pipeline_folder_uploads_the_clickstream_package():
    from infra.pipeline import source_files

    names = [f.relative for f in source_files()]
    assert "clickstream/runtime.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".yml")]


def test_pipeline_is_serverless_in_the_catalog_and_published_schema(deploy):
    pipeline = deploy().only(PIPELINE).inputs
    assert pipeline["serverless"] is True
    assert (pipeline["catalog"], pipeline["schema"]) == ("clickstream_dev", "clickstream_dlt")


def test_pipeline_code_is_the_uploaded_folder(deploy):
    pipeline = deploy().only(PIPELINE).inputs
    assert pipeline["rootPath"] == ROOT
    assert pipeline["libraries"] == [{"glob": {"include": f"{ROOT}/transformations/**"}}]


def test_pipeline_configuration_keys(deploy):
    assert deploy().only(PIPELINE).inputs["configuration"] == {
        "clickstream.runtime": "databricks",
        "clickstream.landing_path": "abfss://landing@clickstreamlakedev.dfs.core.windows.net/clickstream/",
        "clickstream.raw_schema": "clickstream_dlt_raw",
        "clickstream.pii_key": "{{secrets/clickstream-dev/pii-hash-key}}",
        "spark.sql.session.timeZone": "UTC",
    }


def test_dev_pipeline_runs_in_development_mode(deploy):
    assert deploy("dev").only(PIPELINE).inputs["development"] is True


def test_prod_pipeline_does_not_run_in_development_mode(deploy):
    assert deploy("prod").only(PIPELINE).inputs["development"] is False


def test_event_log_is_published_to_the_restricted_schema(deploy):
    assert deploy().only(PIPELINE).inputs["eventLog"] == {
        "name": "pipeline_event_log",
        "catalog": "clickstream_dev",
        "schema": "clickstream_dlt_raw",
    }


def test_failures_are_mailed_to_the_configured_list(deploy):
    plan = deploy(set={"notificationEmails": '["data-oncall@example.com"]'})
    (notification,) = plan.only(PIPELINE).inputs["notifications"]
    assert notification["emailRecipients"] == ["data-oncall@example.com"]
    assert "on-update-failure" in notification["alerts"]
    assert plan.only(JOB).inputs["emailNotifications"]["onFailures"] == ["data-oncall@example.com"]


def test_scheduled_stack_refreshes_through_a_job_with_a_pipeline_task(deploy):
    plan = deploy("prod")
    job = plan.only(JOB).inputs
    (task,) = job["tasks"]
    assert task["pipelineTask"]["pipelineId"] == plan.outputs["pipeline_id"]
    assert job["schedule"]["quartzCronExpression"] == "0 0 * * * ?"
    assert job["schedule"]["timezoneId"] == "UTC"
    assert plan.only(PIPELINE).inputs["continuous"] is False


def test_continuous_stack_has_no_job_and_no_job_id(deploy):
    plan = deploy(set={"trigger": "continuous"}, unset=("scheduleCron",))
    assert plan.of_type(JOB) == []
    assert "job_id" not in plan.outputs
    assert plan.only(PIPELINE).inputs["continuous"] is True


def test_engineers_view_and_admins_manage_the_pipeline(deploy):
    plan = deploy()
    (permissions,) = [p for p in plan.of_type(PERMISSIONS) if "pipelineId" in p.inputs]
    assert permissions.inputs["pipelineId"] == plan.outputs["pipeline_id"]
    assert {a["groupName"]: a["permissionLevel"] for a in permissions.inputs["accessControls"]} == {
        "databricks-project-engineers": "CAN_VIEW",
        "databricks-project-admins": "CAN_MANAGE",
    }
