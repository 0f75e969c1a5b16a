"""ServerlessNetwork: a firewall that denies by default still lets serverless compute in."""

from infra.mocks import FAKE_NCC_SUBNETS
from tests.infra.test_config import config_error

ACCOUNT = "azure-native:storage:StorageAccount"
NCC = "databricks:index/mwsNetworkConnectivityConfig:MwsNetworkConnectivityConfig"
BINDING = "databricks:index/mwsNccBinding:MwsNccBinding"
SUBNET = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
    "virtualNetworks/ncc/subnets/serverless"
)


def subnets_allowed(plan):
    rules = plan.only(ACCOUNT).inputs["networkRuleSet"]["virtualNetworkRules"]
    return [rule["virtualNetworkResourceId"] for rule in rules]


def test_prod_creates_an_ncc_in_the_storage_region_through_the_account_provider(deploy):
    plan = deploy("prod")
    ncc = plan.only(NCC)
    assert ncc.inputs["region"] == "westeurope"
    (provider,) = plan.of_type("pulumi:providers:databricks")
    assert provider.inputs == {
        "host": "https://accounts.azuredatabricks.net",
        "accountId": "00000000-0000-4000-8000-000000000000",
    }


def test_ncc_is_bound_to_the_workspace_named_in_the_host(deploy):
    binding = deploy("prod").only(BINDING).inputs
    assert binding["workspaceId"] == "1234567890123456"  # conftest HOST: adb-1234567890123456.7
    assert binding["networkConnectivityConfigId"].startswith("ncc")


def test_storage_firewall_allows_the_ncc_stable_subnets(deploy):
    plan = deploy("prod")
    assert plan.only(ACCOUNT).inputs["networkRuleSet"]["defaultAction"] == "Deny"
    assert subnets_allowed(plan) == FAKE_NCC_SUBNETS


def test_storage_firewall_keeps_configured_subnets_beside_the_ncc_ones(deploy):
    plan = deploy("prod", set={"storageAllowedSubnetIds": f'["{SUBNET}"]'})
    assert subnets_allowed(plan)[0] == SUBNET and len(subnets_allowed(plan)) == 3


def test_deny_without_any_serverless_path_fails_naming_the_key(deploy):
    assert config_error(deploy, set={"serverlessNetwork": "none"}).key == "serverlessNetwork"


def test_subnets_mode_needs_the_subnets_listed(deploy):
    error = config_error(deploy, set={"serverlessNetwork": "subnets"})
    assert error.key == "storageAllowedSubnetIds"


def test_subnets_mode_uses_the_listed_subnets_and_creates_no_ncc(deploy):
    plan = deploy(set={"serverlessNetwork": "subnets", "storageAllowedSubnetIds": f'["{SUBNET}"]'})
    assert plan.of_type(NCC) == [] and subnets_allowed(plan) == [SUBNET]


def test_allow_without_ncc_creates_no_account_resources(deploy):
    plan = deploy(set={"storageDefaultAction": "Allow", "serverlessNetwork": "none"})
    assert plan.of_type(NCC) == [] and plan.of_type("pulumi:providers:databricks") == []


def test_ncc_needs_a_workspace_id_when_the_host_does_not_carry_one(deploy):
    error = config_error(deploy, set={"databricks:host": "https://dbc.example.com"})
    assert error.key == "databricksWorkspaceId"


def test_bad_account_id_is_rejected(deploy):
    assert config_error(deploy, set={"databricksAccountId": "acme"}).key == "databricksAccountId"
