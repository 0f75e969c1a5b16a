"""Who runs Pulumi changes nothing: the same plan for every identity, placeholder ids refused,
owners named from configuration so that a refresh by another identity sees no drift."""

from __future__ import annotations

import dataclasses

import pytest

from infra import preview
from infra.config import ConfigError
from infra.mocks import preview_ids
from tests.infra import provider_permissions as provider
from tests.infra.conftest import HOST, SUBSCRIPTION
from tests.infra.test_config import config_error

PERMISSIONS = "databricks:index/permissions:Permissions"
DEPLOYER = {  # Pulumi.<stack>.yaml's deployPrincipal, as the preview stands it in
    "dev": "00000000-0000-4000-8000-00000000d0de",
    "prod": "00000000-0000-4000-8000-00000000f0de",
}
READONLY = "7d1c1b8e-5f0a-4c39-9d0e-2b7f4c1a6e55"  # CI's read-only identity
ADMINS = "databricks-project-admins"


def everything(plan: preview.Plan) -> dict:
    """Every resource's inputs and options by (type, name), and the outputs; registration order
    varies from run to run (resources register concurrently), what is registered does not."""
    resources = {(r.type, r.name): dataclasses.asdict(r) for r in plan.resources}
    assert len(resources) == len(plan.resources)
    return {"resources": resources, "outputs": plan.outputs}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_plan_is_the_same_whoever_runs_pulumi(deploy, stack):
    as_deployer = deploy(stack, mocks=preview.RecordingMocks(HOST, current_user=DEPLOYER[stack]))
    as_reader = deploy(stack, mocks=preview.RecordingMocks(HOST, current_user=READONLY))
    assert everything(as_deployer) == everything(as_reader)


def test_the_program_never_asks_who_runs_it(deploy):
    mocks = preview.RecordingMocks(HOST)
    deploy("prod", mocks=mocks)
    assert "databricks:index/getCurrentUser:getCurrentUser" not in mocks.invokes


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("key", ["pipelineRunAs", "deployPrincipal"])
def test_a_placeholder_id_of_the_stack_file_is_refused_before_any_resource(stack, key):
    config, secrets = preview.stack_file_config(stack)
    config, _ = preview_ids(config)
    config["databricks:host"], config["azure-native:subscriptionId"] = HOST, SUBSCRIPTION
    placeholder = preview.stack_file_config(stack)[0][f"clickstream-lakeflow:{key}"]
    config[f"clickstream-lakeflow:{key}"] = placeholder
    mocks = preview.RecordingMocks(HOST)
    with pytest.raises(ConfigError) as caught:
        preview.run(config, stack, secrets, mocks=mocks)
    assert caught.value.key == key and "placeholder" in str(caught.value)
    assert mocks.resources == []


def test_an_all_zero_subscription_is_refused(deploy):
    error = config_error(
        deploy, set={"azure-native:subscriptionId": "00000000-0000-0000-0000-000000000000"}
    )
    assert error.key == "azure-native:subscriptionId"


def test_application_ids_are_lower_cased_as_databricks_reports_them(deploy):
    upper = "7D1C1B8E-5F0A-4C39-9D0E-2B7F4C1A6E55"
    plan = deploy("prod", set={"deployPrincipal": upper})
    assert plan.outputs["workspace_folder"].startswith(f"/Users/{upper.lower()}/")


def test_the_deploy_principal_must_not_be_the_run_as_principal(deploy):
    run_as = "00000000-0000-4000-8000-00000000f0f0"
    error = config_error(deploy, stack="prod", set={"deployPrincipal": run_as})
    assert error.key == "deployPrincipal"


def permissions(plan: preview.Plan, argument: str) -> set[provider.Row]:
    """The rows of every Permissions on that kind of object (prod has three jobs: one set)."""
    found = [p for p in plan.of_type(PERMISSIONS) if argument in p.inputs]
    assert found
    rows = [provider.rows(p.inputs["accessControls"]) for p in found]
    assert all(r == rows[0] for r in rows)
    return rows[0]


@pytest.mark.parametrize("argument", ["pipelineId", "jobId", "sqlEndpointId"])
def test_an_object_with_an_owner_names_the_deploy_principal_as_its_owner(deploy, argument):
    owners = {p for p, level in permissions(deploy("prod"), argument) if level == "IS_OWNER"}
    assert owners == {DEPLOYER["prod"]}


@pytest.mark.parametrize("argument", ["directoryPath", "dashboardId"])
def test_folder_and_dashboard_name_the_deploy_principal_as_a_manager(deploy, argument):
    assert (DEPLOYER["prod"], "CAN_MANAGE") in permissions(deploy("prod"), argument)


@pytest.mark.parametrize("argument", list(provider.OBJECTS))
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_refresh_by_another_identity_reads_back_what_the_stack_declares(deploy, stack, argument):
    configured = permissions(deploy(stack), argument)
    assert provider.refresh_by(argument, configured, DEPLOYER[stack], READONLY) == configured
    assert provider.refresh_by(argument, configured, DEPLOYER[stack], DEPLOYER[stack]) == (
        configured
    )


@pytest.mark.parametrize("argument", list(provider.OBJECTS))
def test_without_the_deployers_row_that_refresh_would_report_drift(deploy, argument):
    declared = permissions(deploy("prod"), argument)
    unnamed = {(p, level) for p, level in declared if p != DEPLOYER["prod"]}
    assert provider.refresh_by(argument, unnamed, DEPLOYER["prod"], READONLY) != unnamed
