"""The account stack (infra/account): what an account admin applies once per workspace stack.

It holds every account-level object (NCC, binding, the run-as principal's rule set), all through
one account-level provider, and hands the workspace stack ids as outputs; nothing in it refers to
a resource of the workspace stack, so it is applied first.
"""

from pathlib import Path

import yaml

from infra.account import config as account_config
from infra.account.program import HANDED_OVER
from infra.config import KEYS as WORKSPACE_KEYS
from infra.mocks import FAKE_NCC_SUBNETS
from tests.infra.conftest import ACCOUNT_ID, WORKSPACE_ID
from tests.infra.test_config import config_error

ACCOUNT_DIR = Path(__file__).resolve().parents[2] / "infra" / "account"
NCC = "databricks:index/mwsNetworkConnectivityConfig:MwsNetworkConnectivityConfig"
BINDING = "databricks:index/mwsNccBinding:MwsNccBinding"
RULE_SET = "databricks:index/accessControlRuleSet:AccessControlRuleSet"
PROVIDER = "pulumi:providers:databricks"


def test_every_account_object_goes_through_the_one_account_level_provider(deploy_account):
    plan = deploy_account()
    (provider,) = plan.of_type(PROVIDER)
    assert provider.inputs == {
        "host": "https://accounts.azuredatabricks.net",
        "accountId": ACCOUNT_ID,
    }
    for typ in (NCC, BINDING, RULE_SET):
        assert "::clickstream-account::" in plan.only(typ).provider, typ


def test_ncc_is_created_in_the_configured_region(deploy_account):
    plan = deploy_account(set={"region": "northeurope"})
    assert plan.only(NCC).inputs["region"] == "northeurope"


def test_ncc_is_bound_to_the_configured_workspace(deploy_account):
    binding = deploy_account().only(BINDING).inputs
    assert binding["workspaceId"] == WORKSPACE_ID
    assert binding["networkConnectivityConfigId"].startswith("ncc")


def test_ncc_is_protected_so_destroy_cannot_delete_it_while_a_workspace_uses_it(deploy_account):
    assert deploy_account().only(NCC).protect


def test_outputs_hand_over_the_bound_ncc_and_its_storage_subnets(deploy_account):
    plan = deploy_account()
    assert plan.outputs["ncc_id"] == plan.only(BINDING).inputs["networkConnectivityConfigId"]
    assert plan.outputs["storage_subnet_ids"] == FAKE_NCC_SUBNETS


def test_handed_over_outputs_are_settings_of_the_workspace_stack(deploy_account):
    assert set(HANDED_OVER) <= set(deploy_account().outputs)
    assert set(HANDED_OVER.values()) <= set(WORKSPACE_KEYS)


def test_without_create_ncc_only_the_rule_set_is_written(deploy_account):
    plan = deploy_account(set={"createNcc": "false"})
    assert plan.of_type(NCC) == [] and plan.of_type(BINDING) == []
    assert len(plan.of_type(RULE_SET)) == 1 and "ncc_id" not in plan.outputs


def test_missing_account_id_fails_naming_the_key(deploy_account):
    assert config_error(deploy_account, unset=("accountId",)).key == "accountId"


def test_missing_workspace_id_fails_naming_the_key(deploy_account):
    assert config_error(deploy_account, unset=("workspaceId",)).key == "workspaceId"


def test_workspace_url_instead_of_its_id_is_refused(deploy_account):
    error = config_error(deploy_account, set={"workspaceId": "https://adb-1.2.azuredatabricks.net"})
    assert error.key == "workspaceId"


def test_unknown_region_is_refused(deploy_account):
    assert config_error(deploy_account, set={"region": "west-europe"}).key == "region"


def test_a_misspelt_setting_is_refused_with_a_suggestion(deploy_account):
    error = config_error(deploy_account, set={"acountId": ACCOUNT_ID})
    assert error.key == "acountId" and "accountId" in error.problem


def test_account_pulumi_yaml_documents_every_key_with_type_and_description():
    declared = yaml.safe_load((ACCOUNT_DIR / "Pulumi.yaml").read_text())["config"]
    for name, spec in declared.items():
        assert spec.get("type") and spec.get("description"), name


def test_a_setting_without_a_default_is_required(deploy_account):
    error = config_error(deploy_account, set={"accountId": ""})
    assert error.key == "accountId" and "required" in error.problem


def test_account_project_is_its_own_pulumi_project_on_the_repository_venv():
    project = yaml.safe_load((ACCOUNT_DIR / "Pulumi.yaml").read_text())
    assert project["name"] == account_config.PROJECT
    venv = (ACCOUNT_DIR / project["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == ACCOUNT_DIR.parents[1] / ".venv"
