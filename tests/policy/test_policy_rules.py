"""Every policy of the pack: the real plans pass it, and a plan that breaks it is rejected."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from policy import model, rules


def only(plan, typ, name_part=""):
    found = [r for r in plan if r.type == typ and name_part in r.name]
    assert len(found) == 1, f"{len(found)} {typ} {name_part}"
    return found[0]


def with_props(plan, target, **changes):
    """A copy of plan where target's props have the given changes."""
    props = copy.deepcopy(dict(target.props))
    props.update(changes)
    return [replace(r, props=props) if r is target else r for r in plan]


def rules_broken(plan):
    return {v.rule for v in rules.check(plan)}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_real_plans_pass_every_policy(stack, dev_plan, prod_plan):
    plan = dev_plan if stack == "dev" else prod_plan
    assert rules.check(plan) == []


@pytest.mark.parametrize(
    "prop, value",
    [
        ("isHnsEnabled", False),
        ("minimumTlsVersion", "TLS1_0"),
        ("allowBlobPublicAccess", True),
        ("allowSharedKeyAccess", True),
    ],
)
def test_storage_must_be_hardened(prod_plan, prop, value):
    account = only(prod_plan, model.STORAGE_ACCOUNT)
    violations = rules.check(with_props(prod_plan, account, **{prop: value}))
    wanted = not value if isinstance(value, bool) else "TLS1_2"
    assert [str(v) for v in violations] == [
        f"[storage-hardened] {account.name}: {prop} must be {wanted!r} (got {value!r})"
    ]


def test_firewall_deny_without_ncc_or_subnets_is_rejected(prod_plan):
    account = only(prod_plan, model.STORAGE_ACCOUNT)
    no_ncc = [r for r in prod_plan if r.type != model.NCC]
    assert rules_broken(no_ncc) == set()  # the NCC's subnets are still listed
    network = dict(account.props["networkRuleSet"], virtualNetworkRules=[])
    plan = with_props(no_ncc, only(no_ncc, model.STORAGE_ACCOUNT), networkRuleSet=network)
    (violation,) = rules.check(plan)
    assert violation.rule == "firewall-deny-has-serverless-path"
    assert violation.resource == account.name


def test_firewall_rule_passes_while_subnets_are_unknown(prod_plan):
    no_ncc = [r for r in prod_plan if r.type != model.NCC]
    account = only(no_ncc, model.STORAGE_ACCOUNT)
    network = dict(account.props["networkRuleSet"], virtualNetworkRules=model.UNKNOWN)
    assert rules.check(with_props(no_ncc, account, networkRuleSet=network)) == []


@pytest.mark.parametrize(
    "typ, prop",
    [
        ("databricks:index/directory:Directory", "path"),
        ("databricks:index/pipeline:Pipeline", "rootPath"),
        ("databricks:index/permissions:Permissions", "directoryPath"),
    ],
)
def test_workspace_code_under_shared_is_rejected(dev_plan, typ, prop):
    target = next(r for r in dev_plan if r.type == typ and prop in r.props)
    shared = "/Workspace/Shared/code" if prop == "rootPath" else "/Shared/code"
    violations = rules.check(with_props(dev_plan, target, **{prop: shared}))
    assert {(v.rule, v.resource) for v in violations} == {
        ("no-workspace-code-under-shared", target.name)
    }


def test_additive_grant_is_rejected(dev_plan):
    grant = model.Resource(
        model.GRANT, "extra", {"catalog": "c", "principal": "x", "privileges": ["USE_CATALOG"]}
    )
    (violation,) = rules.check([*dev_plan, grant])
    assert (violation.rule, violation.resource) == ("authoritative-grants-only", "extra")


def test_all_privileges_is_rejected(dev_plan):
    grants = only(dev_plan, model.GRANTS, "grants-catalog")
    rows = [{"principal": "databricks-project-admins", "privileges": ["ALL_PRIVILEGES"]}]
    violations = rules.check(with_props(dev_plan, grants, grants=rows))
    assert [(v.rule, v.resource) for v in violations] == [("no-all-privileges", grants.name)]


def test_engineers_may_not_modify_the_published_schema(dev_plan):
    grants = only(dev_plan, model.GRANTS, "grants-schema")
    rows = [{"principal": "databricks-project-engineers", "privileges": ["SELECT", "MODIFY"]}]
    violations = rules.check(with_props(dev_plan, grants, grants=rows))
    assert [(v.rule, v.resource) for v in violations] == [
        ("engineers-least-privilege", grants.name)
    ]
    assert "MODIFY" in violations[0].message


def test_engineers_may_not_read_files_from_an_external_location(dev_plan):
    grants = only(dev_plan, model.GRANTS, "landing-location")
    rows = [{"principal": "databricks-project-engineers", "privileges": ["SELECT"]}]
    violations = rules.check(with_props(dev_plan, grants, grants=rows))
    assert {v.rule for v in violations} == {"engineers-least-privilege"}


def test_engineers_may_not_use_the_raw_schema(dev_plan):
    grants = only(dev_plan, model.GRANTS, "raw-schema")
    rows = [
        *grants.props["grants"],
        {"principal": "databricks-project-engineers", "privileges": ["USE_SCHEMA"]},
    ]
    violations = rules.check(with_props(dev_plan, grants, grants=rows))
    assert [(v.rule, v.resource) for v in violations] == [
        ("engineers-nothing-on-raw-schema", grants.name)
    ]


def test_engineers_may_not_view_the_pipeline(dev_plan):
    permissions = next(
        r for r in dev_plan if r.type == model.PERMISSIONS and "pipelineId" in r.props
    )
    controls = [
        *permissions.props["accessControls"],
        {"groupName": "databricks-project-engineers", "permissionLevel": "CAN_VIEW"},
    ]
    violations = rules.check(with_props(dev_plan, permissions, accessControls=controls))
    assert [(v.rule, v.resource) for v in violations] == [
        ("engineers-least-privilege", permissions.name)
    ]


def test_engineers_group_name_comes_from_the_settings(dev_plan):
    grants = only(dev_plan, model.GRANTS, "grants-schema")
    rows = [{"principal": "analysts", "privileges": ["MODIFY"]}]
    plan = with_props(dev_plan, grants, grants=rows)
    assert rules.check(plan) == []
    assert rules_broken_for(plan, "analysts") == {"engineers-least-privilege"}


def rules_broken_for(plan, group):
    return {v.rule for v in rules.check(plan, model.Settings(engineers_group=group))}


@pytest.mark.parametrize("change", [{"serverless": False}, {"catalog": ""}, {"schema": None}])
def test_pipeline_must_be_serverless_in_a_catalog_and_schema(dev_plan, change):
    pipeline = only(dev_plan, model.PIPELINE)
    violations = rules.check(with_props(dev_plan, pipeline, **change))
    assert [(v.rule, v.resource) for v in violations] == [
        ("serverless-pipeline-in-unity-catalog", pipeline.name)
    ]


def test_unprotected_stateful_resource_in_production_is_rejected(prod_plan):
    catalog = only(prod_plan, model.CATALOG)
    plan = [replace(r, protect=False) if r is catalog else r for r in prod_plan]
    (violation,) = rules.check(plan)
    assert (violation.rule, violation.resource) == ("production-is-protected", catalog.name)


def test_production_pipeline_without_run_as_is_rejected(prod_plan):
    pipeline = only(prod_plan, model.PIPELINE)
    (violation,) = rules.check(with_props(prod_plan, pipeline, runAs=None))
    assert (violation.rule, violation.resource) == ("production-is-protected", pipeline.name)


def test_development_stack_need_not_protect(dev_plan):
    assert not [r for r in dev_plan if r.protect] and rules.check(dev_plan) == []


DEPLOYER = "00000000-0000-4000-8000-00000000f0de"  # Pulumi.prod.yaml, as the preview stands it in


def with_deployer(plan, deployer=DEPLOYER):
    return rules.check(plan, model.Settings(deploy_principal=deployer))


def permissions_of(plan, argument):
    """The first Permissions on that kind of object (prod has three jobs, each with one)."""
    return next(r for r in plan if r.type == model.PERMISSIONS and argument in r.props)


def test_the_real_plans_pass_with_the_stacks_deploy_principal(prod_plan):
    assert with_deployer(prod_plan) == []


@pytest.mark.parametrize("argument", ["pipelineId", "jobId", "sqlEndpointId"])
def test_an_owned_object_without_an_owner_row_is_rejected(prod_plan, argument):
    target = permissions_of(prod_plan, argument)
    rows = [c for c in target.props["accessControls"] if c["permissionLevel"] != "IS_OWNER"]
    violations = rules.check(with_props(prod_plan, target, accessControls=rows))
    assert [(v.rule, v.resource) for v in violations] == [("owners-are-explicit", target.name)]


def test_a_group_cannot_be_the_owner(prod_plan):
    target = permissions_of(prod_plan, "jobId")
    rows = [{"groupName": "databricks-project-admins", "permissionLevel": "IS_OWNER"}]
    assert rules_broken(with_props(prod_plan, target, accessControls=rows)) == {
        "owners-are-explicit"
    }


def test_an_owner_other_than_the_deploy_principal_is_rejected(prod_plan):
    violations = with_deployer(prod_plan, "7d1c1b8e-5f0a-4c39-9d0e-2b7f4c1a6e55")
    assert {v.rule for v in violations} == {"owners-are-explicit"}
    # pipeline, three jobs (refresh, erasure, retention), warehouse owners; folder, dashboard
    # managers
    assert len(violations) == 7


@pytest.mark.parametrize("argument", ["directoryPath", "dashboardId"])
def test_folder_or_dashboard_without_the_deployers_manage_row_is_rejected(prod_plan, argument):
    target = permissions_of(prod_plan, argument)
    rows = [c for c in target.props["accessControls"] if c.get("servicePrincipalName") != DEPLOYER]
    violations = with_deployer(with_props(prod_plan, target, accessControls=rows))
    assert [(v.rule, v.resource) for v in violations] == [("owners-are-explicit", target.name)]


@pytest.mark.parametrize("typ", model.STATEFUL)
def test_every_unprotected_stateful_type_in_production_is_rejected(prod_plan, typ):
    targets = [r for r in prod_plan if r.type == typ]
    plan = [replace(r, protect=False) if r.type == typ else r for r in prod_plan]
    assert targets and {(v.rule, v.resource) for v in rules.check(plan)} == {
        ("production-is-protected", t.name) for t in targets
    }
