"""Grants: the access matrix, one authoritative Grants per securable, least privilege."""

import pytest

from infra.grants import ACCESS_MATRIX

GRANTS = "databricks:index/grants:Grants"
ENGINEERS = "databricks-project-engineers"
RUN_AS = "00000000-0000-4000-8000-00000000f0f0"  # Pulumi.prod.yaml, preview stand-in


def grants_on(plan, argument, name):
    found = [g for g in plan.of_type(GRANTS) if g.inputs.get(argument) == name]
    assert len(found) == 1, f"{len(found)} Grants on {argument} {name}"
    return {row["principal"]: sorted(row["privileges"]) for row in found[0].inputs["grants"]}


@pytest.fixture
def plan(deploy):
    return deploy("prod")


def test_one_authoritative_grants_per_securable(plan):
    securables = [
        next((k, v) for k, v in g.inputs.items() if k != "grants") for g in plan.of_type(GRANTS)
    ]
    # The matrix's securables, and the erasure requests table (infra/maintenance.py).
    assert len(securables) == len(set(securables)) == len(ACCESS_MATRIX) + 1


def test_the_run_as_principal_reads_and_updates_erasure_requests_and_nothing_else_does(plan):
    (table,) = [g for g in plan.of_type(GRANTS) if "table" in g.inputs]
    assert {r["principal"]: sorted(r["privileges"]) for r in table.inputs["grants"]} == {
        RUN_AS: ["MODIFY", "SELECT"]
    }


def test_engineers_use_the_catalog_and_read_the_published_schema(plan):
    assert grants_on(plan, "catalog", "clickstream_prod")[ENGINEERS] == ["USE_CATALOG"]
    schema = grants_on(plan, "schema", "clickstream_prod.clickstream_dlt")
    assert schema[ENGINEERS] == ["SELECT", "USE_SCHEMA"]


def test_engineers_have_nothing_on_the_raw_schema(plan):
    assert ENGINEERS not in grants_on(plan, "schema", "clickstream_prod.clickstream_dlt_raw")


def test_engineers_have_nothing_on_external_locations(plan):
    on_locations = [g for g in plan.of_type(GRANTS) if "externalLocation" in g.inputs]
    assert on_locations
    for grants in on_locations:
        assert ENGINEERS not in {row["principal"] for row in grants.inputs["grants"]}


def test_no_all_privileges_anywhere(plan):
    for grants in plan.of_type(GRANTS):
        for row in grants.inputs["grants"]:
            assert "ALL_PRIVILEGES" not in row["privileges"]


def test_run_as_principal_reads_and_rewrites_landing_files_and_nobody_else_may(plan):
    # READ_FILES for Auto Loader, WRITE_FILES for the erasure job's landing task; no MANAGE,
    # no CREATE_EXTERNAL_TABLE/VOLUME, no other principal.
    landing = grants_on(plan, "externalLocation", "clickstream-prod-landing")
    assert landing == {RUN_AS: ["READ_FILES", "WRITE_FILES"]}


def test_pipeline_may_create_streaming_tables_and_views_and_delete_rows_in_both_schemas(plan):
    wanted = ["CREATE_MATERIALIZED_VIEW", "CREATE_TABLE", "MODIFY", "SELECT", "USE_SCHEMA"]
    for schema in ("clickstream_dlt", "clickstream_dlt_raw"):
        assert grants_on(plan, "schema", f"clickstream_prod.{schema}")[RUN_AS] == wanted
    assert grants_on(plan, "catalog", "clickstream_prod")[RUN_AS] == ["USE_CATALOG"]


def test_configured_run_as_service_principal_receives_the_pipeline_grants(deploy):
    app_id = "0b9f2c1e-1111-2222-3333-444455556666"
    plan = deploy(set={"pipelineRunAs": app_id})
    assert grants_on(plan, "catalog", "clickstream_dev")[app_id] == ["USE_CATALOG"]
    assert "deployer@example.com" not in grants_on(plan, "catalog", "clickstream_dev")


def test_admins_own_catalog_schemas_and_locations(plan):
    owned = [
        r
        for r in plan.resources
        if r.type.split(":")[-1] in ("Catalog", "Schema", "ExternalLocation", "StorageCredential")
    ]
    assert len(owned) == 6
    assert {r.inputs["owner"] for r in owned} == {"databricks-project-admins"}


def test_grants_never_follow_the_deploying_identity(deploy):
    for grants in deploy("prod").of_type(GRANTS):
        assert "deployer@example.com" not in {row["principal"] for row in grants.inputs["grants"]}
