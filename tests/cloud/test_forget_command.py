"""`clickstream-cloud forget`: record the request in the raw schema, start the stack's erasure
job with the request id only, follow the run, print what was erased. The real databricks-sdk
WorkspaceClient talks to the local HTTP stub (pipelines_stub)."""

from __future__ import annotations

import json

import pytest
from cloud_fakes import PIPELINE_ID

JOB_ID, RUN_ID, WAREHOUSE = 4242, 777, "0123456789abcdef"
OUTPUTS = {
    "pipeline_id": PIPELINE_ID,
    "erasure_job_id": str(JOB_ID),
    "sql_warehouse_id": WAREHOUSE,
    "catalog_name": "clickstream_dev",
    "raw_schema_name": "clickstream_dlt_raw",
}
PERSON = ["--user-id", "usr_alice", "--email", "Alice@Example.org"]


@pytest.fixture
def jobs_stub(stub):
    stub.job_id, stub.run_id = JOB_ID, RUN_ID
    stub.erased = {"bronze_events": 3, "silver_events": 2, "gold_sessions": 1}
    return stub


def forget(cli, sdk_client, *extra: str, outputs=OUTPUTS):
    return cli("forget", "--stack", "dev", *extra, outputs=outputs, client_factory=sdk_client)


def run_now_bodies(stub) -> list[dict]:
    return [body for method, path, body in stub.requests if path.endswith("/jobs/run-now")]


def test_the_request_is_inserted_into_the_raw_schema_with_identifiers_as_parameters(
    cli, jobs_stub, sdk_client
):
    forget(cli, sdk_client, *PERSON)

    insert = jobs_stub.statements[0]
    assert insert["statement"].startswith(
        "INSERT INTO `clickstream_dev`.`clickstream_dlt_raw`.`erasure_requests`"
    )
    assert insert["warehouse_id"] == WAREHOUSE
    assert "usr_alice" not in insert["statement"] and "Alice" not in insert["statement"]
    parameters = {p["name"]: p["value"] for p in insert["parameters"]}
    assert json.loads(parameters["user_ids"]) == ["usr_alice"]
    assert json.loads(parameters["emails"]) == ["Alice@Example.org"]
    assert json.loads(parameters["anonymous_ids"]) == []


def test_the_job_starts_with_the_request_id_only_which_is_also_the_idempotency_token(
    cli, jobs_stub, sdk_client
):
    forget(cli, sdk_client, *PERSON)

    (body,) = run_now_bodies(jobs_stub)
    request_id = {p["name"]: p["value"] for p in jobs_stub.statements[0]["parameters"]}[
        "request_id"
    ]
    assert body == {
        "job_id": JOB_ID,
        "job_parameters": {"request_id": request_id},
        "idempotency_token": request_id,
    }
    assert "usr_alice" not in json.dumps(body)


def test_a_successful_run_prints_the_rows_erased_per_table_and_exits_0(cli, jobs_stub, sdk_client):
    result = forget(cli, sdk_client, *PERSON)

    assert result.exit_code == 0, result.err
    assert f"Started erasure run {RUN_ID}" in result.out
    assert "bronze_events" in result.out and "silver_events" in result.out
    assert jobs_stub.statements[-1]["statement"].startswith("SELECT erased FROM")


def test_a_failed_run_exits_1_and_reads_nothing_back(cli, jobs_stub, sdk_client):
    jobs_stub.run_states = [("RUNNING", None), ("TERMINATED", "FAILED")]

    result = forget(cli, sdk_client, *PERSON)

    assert result.exit_code == 1
    assert f"erasure run {RUN_ID} did not succeed" in result.err
    assert len(jobs_stub.statements) == 1  # the insert only


def test_following_gives_up_with_exit_3_when_the_workspace_refuses_get_run(
    cli, jobs_stub, sdk_client
):
    jobs_stub.fail("get_run", 403, body='{"error_code": "PERMISSION_DENIED", "message": "no"}')

    result = forget(cli, sdk_client, *PERSON)

    assert result.exit_code == 3
    assert f"lost track of erasure run {RUN_ID}" in result.err


def test_without_an_identifier_nothing_is_recorded_or_started(cli, jobs_stub, sdk_client):
    with pytest.raises(SystemExit) as exit_:
        forget(cli, sdk_client)
    assert exit_.value.code == 2
    assert jobs_stub.statements == [] and run_now_bodies(jobs_stub) == []


def test_a_stack_without_the_erasure_job_starts_nothing_and_exits_2(cli, jobs_stub, sdk_client):
    result = forget(cli, sdk_client, *PERSON, outputs={"pipeline_id": PIPELINE_ID})

    assert result.exit_code == 2
    assert "erasure_job_id" in result.err
    assert jobs_stub.statements == [] and run_now_bodies(jobs_stub) == []
