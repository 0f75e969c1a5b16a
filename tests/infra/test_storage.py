"""DataLake: a private, hardened ADLS Gen2 account and the access connector that reaches it."""

import pytest

ACCOUNT = "azure-native:storage:StorageAccount"
CONNECTOR = "azure-native:databricks:AccessConnector"
ROLE = "azure-native:authorization:RoleAssignment"


def test_account_is_storage_v2_with_hierarchical_namespace(deploy):
    account = deploy().only(ACCOUNT).inputs
    assert account["kind"] == "StorageV2" and account["isHnsEnabled"] is True


def test_account_requires_tls12_and_https(deploy):
    account = deploy().only(ACCOUNT).inputs
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["enableHttpsTrafficOnly"] is True


def test_account_has_no_public_blob_access_and_no_shared_keys(deploy):
    account = deploy().only(ACCOUNT).inputs
    assert account["allowBlobPublicAccess"] is False
    assert account["allowSharedKeyAccess"] is False


def test_account_firewall_denies_by_default_but_admits_the_connector(deploy):
    plan = deploy()
    rules = plan.only(ACCOUNT).inputs["networkRuleSet"]
    assert rules["defaultAction"] == "Deny"
    connector_id = [r for r in plan.of_type(CONNECTOR)][0]
    assert [rule["resourceId"] for rule in rules["resourceAccessRules"]] == [
        f"/subscriptions/00000000-0000-0000-0000-000000000000/fake/AccessConnector/"
        f"{connector_id.inputs['connectorName']}"
    ]


def test_blob_soft_delete_is_on(deploy):
    service = deploy().only("azure-native:storage:BlobServiceProperties").inputs
    assert service["deleteRetentionPolicy"]["enabled"] is True
    assert service["deleteRetentionPolicy"]["days"] >= 7


def test_containers_landing_and_catalog_are_private(deploy):
    containers = deploy().of_type("azure-native:storage:BlobContainer")
    assert sorted(c.inputs["containerName"] for c in containers) == ["catalog", "landing"]
    assert {c.inputs["publicAccess"] for c in containers} == {"None"}


def test_dev_uses_locally_redundant_and_prod_zone_redundant_storage(deploy):
    assert deploy("dev").only(ACCOUNT).inputs["sku"] == {"name": "Standard_LRS"}
    assert deploy("prod").only(ACCOUNT).inputs["sku"] == {"name": "Standard_ZRS"}


def test_access_connector_has_a_system_assigned_identity(deploy):
    assert deploy().only(CONNECTOR).inputs["identity"] == {"type": "SystemAssigned"}


def test_connector_identity_is_blob_data_contributor_on_the_account(deploy, env_subscription):
    plan = deploy()
    (role,) = [r.inputs for r in plan.of_type(ROLE) if r.name.endswith("-blob-contributor")]
    assert role["principalId"] == "22222222-2222-2222-2222-222222222222"
    assert role["principalType"] == "ServicePrincipal"
    assert role["roleDefinitionId"] == (
        f"/subscriptions/{env_subscription}/providers/Microsoft.Authorization/"
        "roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"
    )
    assert role["scope"].endswith("/StorageAccount/clickstreamlakedev")


def test_existing_resource_group_is_used_instead_of_creating_one(deploy):
    plan = deploy(set={"resourceGroupName": "rg-data"})
    assert plan.of_type("azure-native:resources:ResourceGroup") == []
    assert plan.only(ACCOUNT).inputs["resourceGroupName"] == "rg-data"


def _role(plan, suffix: str) -> dict:
    (role,) = [r.inputs for r in plan.of_type(ROLE) if r.name.endswith(suffix)]
    return role


@pytest.mark.parametrize(
    ("suffix", "role_id", "scope_end"),
    [
        ("-queue-contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
         "/StorageAccount/clickstreamlakedev"),
        ("-account-contributor", "17d1049b-9a84-46fb-8f53-869881c3d3ab",
         "/StorageAccount/clickstreamlakedev"),
        ("-eventgrid-subscription-contributor", "428e0ff0-5e57-4d9c-a221-2c70d0e0a443",
         "/resourceGroups/rg-data"),
    ],
)  # fmt: skip
def test_connector_identity_may_set_up_file_events_for_the_landing_location(
    deploy, env_subscription, suffix, role_id, scope_end
):
    role = _role(deploy(set={"resourceGroupName": "rg-data"}), suffix)
    assert role["principalId"] == "22222222-2222-2222-2222-222222222222"
    assert role["roleDefinitionId"].endswith(f"/roleDefinitions/{role_id}")
    assert role["roleDefinitionId"].startswith(f"/subscriptions/{env_subscription}/")
    assert role["scope"].endswith(scope_end)
