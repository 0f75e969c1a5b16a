"""AiBiDashboard: the dashboard of dashboards/, a serverless warehouse, and who may see them."""

import json

import pytest

from dashboards.lakeview import serialized_dashboard

DASHBOARD = "databricks:index/dashboard:Dashboard"
WAREHOUSE = "databricks:index/sqlEndpoint:SqlEndpoint"
PERMISSIONS = "databricks:index/permissions:Permissions"
ENGINEERS, ADMINS = "databricks-project-engineers", "databricks-project-admins"
EXISTING = "0123456789abcdef"
DEPLOYER = "00000000-0000-4000-8000-00000000d0de"  # Pulumi.dev.yaml, as the preview stands it in


def _levels(plan, key: str) -> dict[str, str]:
    (permissions,) = [p for p in plan.of_type(PERMISSIONS) if key in p.inputs]
    return {
        a.get("groupName") or a["servicePrincipalName"]: a["permissionLevel"]
        for a in permissions.inputs["accessControls"]
    }


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_dashboard_warehouse_and_their_permissions_are_in_the_plan(deploy, stack):
    plan = deploy(stack)
    assert plan.only(DASHBOARD) and plan.only(WAREHOUSE)
    assert {"dashboardId", "sqlEndpointId"} <= {
        key for p in plan.of_type(PERMISSIONS) for key in p.inputs
    }


def test_dashboard_is_the_definition_in_dashboards_folder(deploy):
    dashboard = deploy().only(DASHBOARD).inputs
    assert dashboard["serializedDashboard"] == serialized_dashboard()
    assert json.loads(dashboard["serializedDashboard"])["pages"]


def test_dashboard_reads_the_stacks_published_schema(deploy):
    dashboard = deploy("prod").only(DASHBOARD).inputs
    assert (dashboard["datasetCatalog"], dashboard["datasetSchema"]) == (
        "clickstream_prod",
        "clickstream_dlt",
    )


def test_viewers_run_queries_with_their_own_credentials(deploy):
    assert deploy().only(DASHBOARD).inputs["embedCredentials"] is False


def test_dashboard_runs_on_the_stacks_warehouse_and_lives_in_the_stack_folder(deploy):
    plan = deploy()
    dashboard = plan.only(DASHBOARD).inputs
    assert dashboard["warehouseId"] == plan.outputs["sql_warehouse_id"]
    assert dashboard["parentPath"] == plan.outputs["workspace_folder"]
    assert dashboard["displayName"] == "Clickstream (dev)"


def test_warehouse_is_serverless_the_smallest_size_and_stops_itself(deploy):
    warehouse = deploy().only(WAREHOUSE).inputs
    assert warehouse["enableServerlessCompute"] is True
    assert warehouse["warehouseType"] == "PRO"
    assert warehouse["clusterSize"] == "2X-Small"
    assert warehouse["autoStopMins"] == 10  # the API's shortest auto-stop
    assert warehouse["maxNumClusters"] == 1


def test_engineers_may_only_view_the_dashboard_and_admins_and_the_deployer_manage_it(deploy):
    assert _levels(deploy(), "dashboardId") == {
        DEPLOYER: "CAN_MANAGE",
        ENGINEERS: "CAN_READ",
        ADMINS: "CAN_MANAGE",
    }


def test_engineers_may_only_use_the_warehouse_the_deployer_owns(deploy):
    assert _levels(deploy(), "sqlEndpointId") == {
        DEPLOYER: "IS_OWNER",
        ENGINEERS: "CAN_USE",
        ADMINS: "CAN_MANAGE",
    }


def test_dashboard_url_is_a_stack_output_on_the_workspace(deploy):
    plan = deploy()
    dashboard = plan.only(DASHBOARD)
    assert plan.outputs["dashboard_url"] == (
        f"https://adb-1234567890123456.7.azuredatabricks.net/dashboardsv3/{dashboard.name}-id"
        "/published"
    )


def test_an_existing_warehouse_is_used_and_left_alone(deploy):
    plan = deploy(set={"sqlWarehouseId": EXISTING})
    assert plan.of_type(WAREHOUSE) == []
    assert plan.only(DASHBOARD).inputs["warehouseId"] == EXISTING
    assert not [p for p in plan.of_type(PERMISSIONS) if "sqlEndpointId" in p.inputs]
    assert plan.outputs["sql_warehouse_id"] == EXISTING


def test_a_malformed_warehouse_id_is_refused_naming_the_key(deploy):
    from infra.config import ConfigError

    with pytest.raises(ConfigError, match="sqlWarehouseId"):
        deploy(set={"sqlWarehouseId": "my-warehouse"})
