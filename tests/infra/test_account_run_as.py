"""RunAsIdentity (account stack): the admins may make the pipeline and job run as the principal."""

from tests.infra.conftest import ACCOUNT_ID, RUN_AS
from tests.infra.test_config import config_error

RULE_SET = "databricks:index/accessControlRuleSet:AccessControlRuleSet"


def roles(plan):
    rule_set = plan.only(RULE_SET).inputs
    return {rule["role"]: rule["principals"] for rule in rule_set["grantRules"]}


def test_account_stack_without_a_run_as_principal_fails_naming_the_key(deploy_account):
    error = config_error(deploy_account, unset=("pipelineRunAs",))
    assert error.key == "pipelineRunAs"


def test_workspace_prod_without_a_run_as_principal_fails_naming_the_key(deploy):
    assert config_error(deploy, stack="prod", unset=("pipelineRunAs",)).key == "pipelineRunAs"


def test_rule_set_names_the_run_as_principal_in_the_account(deploy_account):
    name = deploy_account().only(RULE_SET).inputs["name"]
    assert name == f"accounts/{ACCOUNT_ID}/servicePrincipals/{RUN_AS}/ruleSets/default"


def test_admins_get_the_service_principal_user_role_on_the_run_as_principal(deploy_account):
    assert roles(deploy_account())["roles/servicePrincipal.user"] == [
        "groups/databricks-project-admins"
    ]


def test_authoritative_rule_set_keeps_a_manager_on_the_principal(deploy_account):
    assert roles(deploy_account())["roles/servicePrincipal.manager"] == [
        "groups/databricks-project-admins"
    ]


def test_rule_set_follows_the_configured_admins_group(deploy_account):
    plan = deploy_account(set={"adminsGroup": "data-platform-admins"})
    assert roles(plan)["roles/servicePrincipal.user"] == ["groups/data-platform-admins"]
