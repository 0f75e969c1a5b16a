"""RunAsIdentity: the pipeline and job run as a fixed service principal the admins may use."""

from tests.infra.test_config import config_error

RULE_SET = "databricks:index/accessControlRuleSet:AccessControlRuleSet"
RUN_AS = "00000000-0000-4000-8000-00000000f0f0"  # Pulumi.prod.yaml, preview stand-in
ACCOUNT_ID = "00000000-0000-4000-8000-000000000000"  # preview stand-in


def test_prod_without_a_run_as_principal_fails_naming_the_key(deploy):
    assert config_error(deploy, stack="prod", unset=("pipelineRunAs",)).key == "pipelineRunAs"


def test_admins_get_the_service_principal_user_role_on_the_run_as_principal(deploy):
    rule_set = deploy("prod").only(RULE_SET).inputs
    assert rule_set["name"] == f"accounts/{ACCOUNT_ID}/servicePrincipals/{RUN_AS}/ruleSets/default"
    roles = {rule["role"]: rule["principals"] for rule in rule_set["grantRules"]}
    assert roles["roles/servicePrincipal.user"] == ["groups/databricks-project-admins"]


def test_authoritative_rule_set_keeps_a_manager_on_the_principal(deploy):
    rule_set = deploy("prod").only(RULE_SET).inputs
    roles = {rule["role"]: rule["principals"] for rule in rule_set["grantRules"]}
    assert roles["roles/servicePrincipal.manager"] == ["groups/databricks-project-admins"]
