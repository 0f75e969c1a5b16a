"""Stack-wide behaviour: protection, outputs, component structure, the offline preview."""

import inspect
import json
import re
from collections import Counter

import pulumi_random as random
import pytest

from infra import catalog, preview

# Data, the identities and paths that reach it, and the PII key: what prod protects.
STATEFUL = {
    "azure-native:resources:ResourceGroup": 1,
    "azure-native:storage:StorageAccount": 1,
    "azure-native:storage:BlobContainer": 2,  # landing and catalog
    "azure-native:databricks:AccessConnector": 1,
    "databricks:index/storageCredential:StorageCredential": 1,
    "databricks:index/externalLocation:ExternalLocation": 2,  # landing and the catalog root
    "databricks:index/catalog:Catalog": 1,
    "databricks:index/schema:Schema": 2,  # published and raw
    "databricks:index/secretScope:SecretScope": 1,
    "databricks:index/secret:Secret": 1,
    "random:index/randomPassword:RandomPassword": 1,
}
PII_KEY = "random:index/randomPassword:RandomPassword"
OUTPUTS = {
    "pipeline_id",
    "pipeline_url",
    "job_id",
    "catalog_name",
    "schema_name",
    "raw_schema_name",
    "landing_url",
    "storage_account_name",
    "workspace_folder",
    "ncc_id",
    "erasure_job_id",
    "retention_job_id",
    "dashboard_url",
    "dashboard_id",
    "sql_warehouse_id",
}


def test_prod_protects_every_stateful_or_identity_bearing_resource(deploy):
    protected = Counter(r.type for r in deploy("prod").resources if r.protect)
    assert protected == STATEFUL


def test_dev_protects_nothing(deploy):
    assert not [r for r in deploy("dev").resources if r.protect]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_generated_pii_key_ignores_changes_to_its_own_inputs(deploy, stack):
    key = deploy(stack).only(PII_KEY)
    assert set(key.inputs) - {"__defaults"} <= set(key.ignore_changes)
    assert set(key.ignore_changes) == set(catalog.PII_KEY_INPUTS)


def test_the_ignored_inputs_are_exactly_those_of_random_password():
    init = inspect.signature(random.RandomPassword._internal_init).parameters
    python_names = {name for name in init if name not in ("__self__", "resource_name", "opts")}
    python_names.discard("__props__")
    camel = {re.sub(r"_(\w)", lambda m: m.group(1).upper(), name) for name in python_names}
    assert camel == set(catalog.PII_KEY_INPUTS)


def test_stack_outputs_have_the_agreed_names(deploy, env_host):
    outputs = deploy("prod").outputs
    assert set(outputs) == OUTPUTS
    assert outputs["pipeline_url"] == f"{env_host}/pipelines/{outputs['pipeline_id']}"
    assert outputs["landing_url"].startswith("abfss://landing@clickstreamlakeprod.")


def test_dev_and_prod_have_distinct_names(deploy):
    dev, prod = deploy("dev").outputs, deploy("prod").outputs
    for key in ("catalog_name", "storage_account_name", "workspace_folder"):
        assert dev[key] != prod[key]


def test_every_resource_belongs_to_a_component(deploy):
    plan = deploy()
    components = {r.type for r in plan.resources if not r.custom}
    assert components == {
        "clickstream:infra:DataLake",
        "clickstream:infra:LandingRetention",
        "clickstream:infra:UnityCatalog",
        "clickstream:infra:CatalogGrants",
        "clickstream:infra:LakeflowPipeline",
        "clickstream:infra:RefreshSchedule",
        "clickstream:infra:AiBiDashboard",
        "clickstream:infra:MaintenanceJobs",
    }
    for resource in plan.resources:
        if resource.custom:
            assert "clickstream:infra:" in resource.parent, resource.name


def test_preview_prints_a_json_plan_without_secrets(capsys):
    assert preview.main(["--stack", "prod", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert set(plan["outputs"]) == OUTPUTS
    secrets = [r for r in plan["resources"] if r["type"] == "databricks:index/secret:Secret"]
    assert secrets[0]["inputs"]["stringValue"] == preview.MASK


def test_preview_prints_a_table(capsys):
    assert preview.main(["--stack", "dev"]) == 0
    assert "databricks:Pipeline" in capsys.readouterr().out


@pytest.mark.parametrize("stack", ["staging"])
def test_preview_of_a_bad_config_prints_one_line_and_fails(capsys, stack):
    assert preview.main(["--stack", stack]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Pulumi.staging.yaml" in err


def test_preview_names_the_bad_key(capsys, monkeypatch):
    real = preview.stack_file_config

    def broken(stack, root=preview.REPO_ROOT):
        config, secrets = real(stack, root)
        config["clickstream-lakeflow:location"] = "atlantis"
        return config, secrets

    monkeypatch.setattr(preview, "stack_file_config", broken)
    assert preview.main(["--stack", "dev"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "location" in err and "atlantis" in err
