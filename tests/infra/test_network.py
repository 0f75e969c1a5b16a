"""The workspace stack's side of the serverless network: the account stack's NCC, by configuration.

The NCC and its binding are account objects (infra/account); the workspace stack takes their ids
as settings, lets the NCC's stable subnets through the storage firewall, and creates no account
object itself, so its deploy identity needs no account right.
"""

import json

from tests.infra.conftest import NCC_ID, NCC_SUBNETS
from tests.infra.test_config import config_error

ACCOUNT = "azure-native:storage:StorageAccount"
ACCOUNT_LEVEL = (
    "databricks:index/mwsNetworkConnectivityConfig:MwsNetworkConnectivityConfig",
    "databricks:index/mwsNccBinding:MwsNccBinding",
    "databricks:index/accessControlRuleSet:AccessControlRuleSet",
)
SUBNET = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
    "virtualNetworks/vnet/subnets/office"
)


def subnets_allowed(plan):
    rules = plan.only(ACCOUNT).inputs["networkRuleSet"]["virtualNetworkRules"]
    return [rule["virtualNetworkResourceId"] for rule in rules]


def test_storage_firewall_denies_and_lets_the_account_stacks_ncc_subnets_in(deploy):
    plan = deploy("prod")
    assert plan.only(ACCOUNT).inputs["networkRuleSet"]["defaultAction"] == "Deny"
    assert subnets_allowed(plan) == NCC_SUBNETS


def test_stack_exports_the_configured_ncc_id(deploy):
    assert deploy("prod").outputs["ncc_id"] == NCC_ID


def test_workspace_stacks_declare_no_account_level_object(deploy):
    for stack in ("dev", "prod"):
        plan = deploy(stack)
        assert [r.name for r in plan.resources if r.type in ACCOUNT_LEVEL] == []
        assert plan.of_type("pulumi:providers:databricks") == []


def test_ncc_mode_without_the_ncc_id_fails_naming_the_key(deploy):
    assert config_error(deploy, unset=("databricksNccId",)).key == "databricksNccId"


def test_ncc_id_must_be_a_guid(deploy):
    assert config_error(deploy, set={"databricksNccId": "my-ncc"}).key == "databricksNccId"


def test_deny_without_the_ncc_subnets_fails_naming_the_key(deploy):
    error = config_error(deploy, set={"storageAllowedSubnetIds": "[]"})
    assert error.key == "storageAllowedSubnetIds"


def test_deny_without_any_serverless_path_fails_naming_the_key(deploy):
    assert config_error(deploy, set={"serverlessNetwork": "none"}).key == "serverlessNetwork"


def test_the_removed_subnets_mode_is_refused_with_the_allowed_values(deploy):
    error = config_error(deploy, set={"serverlessNetwork": "subnets"})
    assert error.key == "serverlessNetwork" and "ncc" in error.problem


def test_other_subnets_stay_beside_the_ncc_ones(deploy):
    listed = json.dumps([SUBNET, *NCC_SUBNETS])
    assert subnets_allowed(deploy(set={"storageAllowedSubnetIds": listed}))[0] == SUBNET


def test_allow_without_ncc_needs_no_account_stack_outputs(deploy):
    plan = deploy(
        set={"storageDefaultAction": "Allow", "serverlessNetwork": "none"},
        unset=("databricksNccId", "storageAllowedSubnetIds"),
    )
    assert "ncc_id" not in plan.outputs and subnets_allowed(plan) == []
