"""UnityCatalog: credential, external locations, an isolated catalog, two schemas, the PII key."""

CREDENTIAL = "databricks:index/storageCredential:StorageCredential"
LOCATION = "databricks:index/externalLocation:ExternalLocation"
CATALOG = "databricks:index/catalog:Catalog"
SCHEMA = "databricks:index/schema:Schema"
SECRET = "databricks:index/secret:Secret"
SECRET_SIG = "4dabf18193072939515e22adb298388d"  # Pulumi's marker of a secret value


def secret_value(value):
    assert isinstance(value, dict) and SECRET_SIG in value, "value is not marked secret"
    return value["value"]


def test_storage_credential_is_the_access_connector_identity(deploy):
    plan = deploy()
    credential = plan.only(CREDENTIAL).inputs
    connector = plan.only("azure-native:databricks:AccessConnector").inputs["connectorName"]
    assert credential["azureManagedIdentity"]["accessConnectorId"].endswith(connector)


def test_external_locations_cover_landing_and_the_catalog_root(deploy):
    urls = sorted(r.inputs["url"] for r in deploy().of_type(LOCATION))
    assert urls == [
        "abfss://catalog@clickstreamlakedev.dfs.core.windows.net/",
        "abfss://landing@clickstreamlakedev.dfs.core.windows.net/",
    ]


def test_catalog_is_isolated_with_managed_storage_in_adls_owned_by_admins(deploy):
    catalog = deploy().only(CATALOG).inputs
    assert catalog["name"] == "clickstream_dev"
    assert catalog["isolationMode"] == "ISOLATED"
    assert catalog["storageRoot"] == "abfss://catalog@clickstreamlakedev.dfs.core.windows.net/"
    assert catalog["owner"] == "databricks-project-admins"


def test_prod_has_the_published_and_the_raw_schema(deploy):
    schemas = {r.inputs["name"]: r.inputs for r in deploy("prod").of_type(SCHEMA)}
    assert set(schemas) == {"clickstream_dlt", "clickstream_dlt_raw"}
    assert {s["catalogName"] for s in schemas.values()} == {"clickstream_prod"}


def test_pii_key_is_generated_when_not_configured(deploy):
    plan = deploy()
    generated = plan.only("random:index/randomPassword:RandomPassword")
    assert generated.inputs["length"] >= 32
    secret = plan.only(SECRET).inputs
    assert secret["key"] == "pii-hash-key" and secret["scope"] == "clickstream-dev"
    assert secret_value(secret["stringValue"]) == "x" * 64


def test_pii_key_comes_from_the_secret_config_value(deploy):
    key = "k" * 48
    plan = deploy(set={"piiHashKey": key}, secrets=("piiHashKey",))
    assert plan.of_type("random:index/randomPassword:RandomPassword") == []
    assert secret_value(plan.only(SECRET).inputs["stringValue"]) == key


def test_run_as_service_principal_may_read_the_secret_scope(deploy):
    app_id = "0b9f2c1e-1111-2222-3333-444455556666"
    acl = deploy(set={"pipelineRunAs": app_id}).only("databricks:index/secretAcl:SecretAcl")
    assert acl.inputs == {"scope": "clickstream-dev", "principal": app_id, "permission": "READ"}


SLEEP = "time:index/sleep:Sleep"


def waits_for(resource, logical_name):
    return any(d.endswith(f"::{logical_name}") for d in resource.dependencies)


def test_rbac_wait_follows_the_role_assignment(deploy):
    plan = deploy()
    sleep = plan.only(SLEEP)
    assert sleep.inputs["createDuration"] == "10m"
    assert waits_for(sleep, "clickstream-lake-connector-blob-contributor")


def test_credential_locations_and_catalog_root_wait_for_rbac_propagation(deploy):
    plan = deploy()
    waiting = [*plan.of_type(CREDENTIAL), *plan.of_type(LOCATION)]
    assert len(waiting) == 3
    for resource in waiting:
        assert waits_for(resource, "clickstream-lake-rbac-propagation")
    # The catalog's storage root is an external location's URL: it waits through it.
    assert any("externalLocation" in d for d in plan.only(CATALOG).dependencies)


def test_dev_catalog_and_schemas_can_be_destroyed(deploy):
    plan = deploy("dev")
    for resource in [plan.only(CATALOG), *plan.of_type(SCHEMA)]:
        assert resource.inputs["forceDestroy"] is True


def test_prod_catalog_and_schemas_are_not_force_destroyed(deploy):
    plan = deploy("prod")
    for resource in [plan.only(CATALOG), *plan.of_type(SCHEMA)]:
        assert resource.inputs["forceDestroy"] is False


def test_pipeline_waits_for_the_secret_acl(deploy):
    plan = deploy(set={"trigger": "continuous"}, unset=("scheduleCron",))
    pipeline = plan.only("databricks:index/pipeline:Pipeline")
    assert waits_for(pipeline, "clickstream-uc-secret-scope-pipeline-read")


def test_landing_location_publishes_file_events_to_a_managed_queue(deploy, env_subscription):
    plan = deploy(set={"resourceGroupName": "rg-data"})
    (landing,) = [r.inputs for r in plan.of_type(LOCATION) if "landing@" in r.inputs["url"]]
    assert landing["enableFileEvents"] is True
    assert landing["fileEventQueue"] == {
        "managedAqs": {"resourceGroup": "rg-data", "subscriptionId": env_subscription}
    }


def test_catalog_root_location_has_no_file_events(deploy):
    (root,) = [r.inputs for r in deploy().of_type(LOCATION) if "catalog@" in r.inputs["url"]]
    assert "enableFileEvents" not in root
