"""LakeflowPipeline: uploaded code, a serverless pipeline, its trigger and permissions."""

import base64

PIPELINE = "databricks:index/pipeline:Pipeline"
FILE = "databricks:index/workspaceFile:WorkspaceFile"
JOB = "databricks:index/job:Job"
PERMISSIONS = "databricks:index/permissions:Permissions"
DEPLOYER = "00000000-0000-4000-8000-00000000d0de"  # Pulumi.dev.yaml, as the preview stands it in
PROD_DEPLOYER = "00000000-0000-4000-8000-00000000f0de"  # Pulumi.prod.yaml
FOLDER = f"/Users/{DEPLOYER}/.clickstream-lakeflow/dev"  # the deploy principal's home
ROOT = f"/Workspace{FOLDER}"
RUN_AS = "00000000-0000-4000-8000-00000000f0f0"  # Pulumi.prod.yaml, as the preview stands it in


def refresh_job(plan):
    """The pipeline's refresh job (the erasure and retention jobs are infra/maintenance.py's)."""
    (job,) = [j for j in plan.of_type(JOB) if j.inputs["name"].endswith("-refresh")]
    return job


def uploads(plan):
    return {f.inputs["path"]: f.inputs for f in plan.of_type(FILE)}


def test_uploads_transformations_the_clickstream_package_and_the_job_entry_only(deploy):
    assert sorted(uploads(deploy())) == [
        f"{FOLDER}/clickstream/__init__.py",
        f"{FOLDER}/clickstream/runtime.py",
        f"{FOLDER}/jobs/maintenance.py",
        f"{FOLDER}/transformations/bronze_events.py",
        f"{FOLDER}/transformations/silver_events.py",
    ]


def test_upload_carries_the_file_content(deploy):
    runtime = uploads(deploy())[f"{FOLDER}/clickstream/runtime.py"]
    assert base64.b64decode(runtime["contentBase64"]) == b"RUNTIME = 1\n"


def test_upload_changes_when_a_file_content_changes(deploy, pipeline_dir):
    path = f"{FOLDER}/transformations/bronze_events.py"
    before = uploads(deploy())[path]
    (pipeline_dir / "transformations/bronze_events.py").write_text("# bronze v2\n")
    after = uploads(deploy())[path]
    assert after["contentBase64"] != before["contentBase64"]
    assert after["md5"] != before["md5"]


def test_upload_of_an_unchanged_file_stays_the_same(deploy, pipeline_dir):
    path = f"{FOLDER}/clickstream/runtime.py"
    before = uploads(deploy())[path]
    (pipeline_dir / "transformations/bronze_events.py").write_text("# bronze v2\n")
    assert uploads(deploy())[path] == before


def test_workspace_folder_is_stack_scoped_in_the_deploy_principals_home(deploy):
    assert deploy("dev").outputs["workspace_folder"] == FOLDER
    assert deploy("prod").outputs["workspace_folder"] == (
        f"/Users/{PROD_DEPLOYER}/.clickstream-lakeflow/prod"
    )


def test_real_pipeline_folder_uploads_the_clickstream_package():
    from infra.pipeline import source_files

    names = [f.relative for f in source_files()]
    assert "clickstream/runtime.py" in names
    assert "jobs/maintenance.py" in names and "clickstream/maintenance_main.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".yml")]


def test_pipeline_is_serverless_in_the_catalog_and_published_schema(deploy):
    pipeline = deploy().only(PIPELINE).inputs
    assert pipeline["serverless"] is True
    assert (pipeline["catalog"], pipeline["schema"]) == ("clickstream_dev", "clickstream_dlt")


def test_pipeline_code_is_the_uploaded_folder(deploy):
    pipeline = deploy().only(PIPELINE).inputs
    assert pipeline["rootPath"] == ROOT
    assert pipeline["libraries"] == [{"glob": {"include": f"{ROOT}/transformations/**"}}]


def test_pipeline_configuration_names_the_secret_scope_and_key_not_a_reference(deploy):
    assert deploy().only(PIPELINE).inputs["configuration"] == {
        "clickstream.runtime": "databricks",
        "clickstream.landing_path": "abfss://landing@clickstreamlakedev.dfs.core.windows.net/clickstream/",
        "clickstream.raw_schema": "clickstream_dlt_raw",
        "clickstream.pii_key_scope": "clickstream-dev",
        "clickstream.pii_key_name": "pii-hash-key",
        "spark.sql.session.timeZone": "UTC",
        "clickstream.refresh_policy": "incremental_strict",
    }


def test_prod_gold_views_fall_back_to_a_full_refresh_rather_than_fail(deploy):
    configuration = deploy("prod").only(PIPELINE).inputs["configuration"]
    assert configuration["clickstream.refresh_policy"] == "incremental"


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
    assert refresh_job(plan).inputs["emailNotifications"]["onFailures"] == [
        "data-oncall@example.com"
    ]


def test_scheduled_stack_refreshes_through_a_job_with_a_pipeline_task(deploy):
    plan = deploy("prod")
    job = refresh_job(plan).inputs
    (task,) = job["tasks"]
    assert task["pipelineTask"]["pipelineId"] == plan.outputs["pipeline_id"]
    assert job["schedule"]["quartzCronExpression"] == "0 0 * * * ?"
    assert job["schedule"]["timezoneId"] == "UTC"
    assert plan.only(PIPELINE).inputs["continuous"] is False


def test_continuous_stack_has_no_refresh_job_and_no_job_id(deploy):
    plan = deploy(set={"trigger": "continuous"}, unset=("scheduleCron",))
    names = sorted(j.inputs["name"] for j in plan.of_type(JOB))
    assert names == ["clickstream-dev-erasure", "clickstream-dev-retention"]
    assert "job_id" not in plan.outputs
    assert plan.only(PIPELINE).inputs["continuous"] is True


def levels(permissions):
    return {
        a.get("groupName") or a.get("servicePrincipalName"): a["permissionLevel"]
        for a in permissions.inputs["accessControls"]
    }


def permissions_on(plan, argument):
    (permissions,) = [p for p in plan.of_type(PERMISSIONS) if argument in p.inputs]
    return permissions


def test_deployer_owns_admins_manage_and_the_run_as_principal_runs_the_pipeline(deploy):
    plan = deploy("prod")
    permissions = permissions_on(plan, "pipelineId")
    assert permissions.inputs["pipelineId"] == plan.outputs["pipeline_id"]
    assert levels(permissions) == {
        PROD_DEPLOYER: "IS_OWNER",
        "databricks-project-admins": "CAN_MANAGE",
        RUN_AS: "CAN_RUN",
    }


def test_engineers_have_no_permission_on_the_pipeline_or_any_job(deploy):
    plan = deploy("prod")
    for permissions in plan.of_type(PERMISSIONS):
        if "pipelineId" in permissions.inputs or "jobId" in permissions.inputs:
            assert "databricks-project-engineers" not in levels(permissions)


def test_code_folder_is_never_under_shared(deploy):
    plan = deploy("prod")
    paths = [r.inputs["path"] for r in plan.of_type(FILE)]
    paths.append(plan.only("databricks:index/directory:Directory").inputs["path"])
    assert paths and not [p for p in paths if p.startswith(("/Shared", "/Workspace/Shared"))]


def test_code_folder_has_its_own_permissions(deploy):
    plan = deploy("prod")
    permissions = permissions_on(plan, "directoryPath")
    assert permissions.inputs["directoryPath"] == plan.outputs["workspace_folder"]
    assert levels(permissions) == {
        PROD_DEPLOYER: "CAN_MANAGE",
        "databricks-project-admins": "CAN_MANAGE",
        RUN_AS: "CAN_READ",
        "databricks-project-engineers": "CAN_READ",
    }


def test_configured_workspace_folder_is_used(deploy):
    folder = f"/Users/{RUN_AS}/clickstream/dev"
    assert deploy(set={"workspaceFolder": folder}).outputs["workspace_folder"] == folder


def test_workspace_folder_under_shared_is_rejected(deploy):
    from tests.infra.test_config import config_error

    error = config_error(deploy, set={"workspaceFolder": "/Shared/clickstream/dev"})
    assert error.key == "workspaceFolder" and "/Shared" in str(error)


def test_pipeline_runs_as_the_configured_service_principal(deploy):
    run_as = deploy("prod").only(PIPELINE).inputs["runAs"]
    assert run_as == {"servicePrincipalName": RUN_AS}


def test_job_runs_as_the_same_service_principal(deploy):
    assert refresh_job(deploy("prod")).inputs["runAs"] == {"servicePrincipalName": RUN_AS}


def test_only_the_owner_and_admins_have_a_permission_on_any_job(deploy):
    on_jobs = [p for p in deploy("prod").of_type(PERMISSIONS) if "jobId" in p.inputs]
    assert len(on_jobs) == 3  # refresh, erasure, retention
    for permissions in on_jobs:
        assert levels(permissions) == {
            PROD_DEPLOYER: "IS_OWNER",
            "databricks-project-admins": "CAN_MANAGE",
        }


def test_moved_job_keeps_its_urn_through_an_alias_to_its_former_parent(deploy):
    job = refresh_job(deploy("prod"))
    assert job.name == "clickstream-lakeflow-schedule"
    assert "clickstream:infra:RefreshSchedule" in job.parent
    assert any("clickstream:infra:LakeflowPipeline::clickstream-lakeflow" in a for a in job.aliases)


def test_pipeline_starts_only_after_its_grants_and_the_run_as_secret_acl(deploy):
    # The run-as rule set and the NCC binding are the account stack's, applied before this one.
    dependencies = deploy("prod").only(PIPELINE).dependencies
    for name in ("clickstream-grants-raw-schema", "clickstream-uc-secret-scope-pipeline-read"):
        assert any(d.endswith(f"::{name}") for d in dependencies), name


def test_dev_schedule_runs_in_standard_performance_mode(deploy):
    assert refresh_job(deploy("dev")).inputs["performanceTarget"] == "STANDARD"


def test_prod_schedule_runs_performance_optimized_for_its_hourly_freshness(deploy):
    assert refresh_job(deploy("prod")).inputs["performanceTarget"] == "PERFORMANCE_OPTIMIZED"
