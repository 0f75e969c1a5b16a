"""`make preview` ends with what a user can act on: resources per scope, rights, a to-do list."""

import contextlib
import io
import json

import pytest

from infra import preview, preview_summary
from infra.rights import SCOPES

FILE_UPLOAD = preview_summary.FILE_UPLOAD


def printed(*args: str) -> str:
    """What `python -m infra.preview ARGS` prints; it must succeed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert preview.main(list(args)) == 0
    return out.getvalue()


@pytest.fixture(scope="module")  # each test reads the same output of one run
def dev_text():
    return printed("--stack", "dev")


@pytest.fixture(scope="module")
def dev_json():
    return json.loads(printed("--stack", "dev", "--json"))


def todo_section(text):
    return text[text.index("Still to do:") :].splitlines()[1:]


def test_the_output_ends_with_the_numbered_to_do_list(dev_text):
    lines = dev_text.rstrip().splitlines()
    todo = todo_section(dev_text)
    assert todo and lines[-len(todo) :] == todo
    numbers = [line.split(".")[0].strip() for line in todo]
    assert numbers == [str(n) for n in range(1, len(todo) + 1)]


def test_the_pipeline_file_uploads_are_one_row(dev_text, dev_json):
    uploads = [r for r in dev_json["resources"] if r["type"] == FILE_UPLOAD]
    assert len(uploads) > 5
    table = dev_text[: dev_text.index("Summary for stack")]
    assert table.count(f"{len(uploads)} file uploads") == 1
    assert "clickstream-lakeflow-file-" not in dev_text


def test_resources_are_counted_per_scope_across_both_stacks(dev_json):
    counts = dev_json["summary"]["counts"]
    listed = [
        r
        for r in dev_json["resources"] + dev_json["account_resources"]
        if not r["type"].startswith("pulumi:providers:")  # the engine's, no cloud object
    ]
    for scope in ("Azure", "workspace", "account"):
        assert counts[scope] == sum(r["scope"] == scope for r in listed), scope
    assert counts["account"] == 3  # NCC, binding, the run-as principal's rule set
    assert {r["scope"] for r in dev_json["resources"]} <= {"Azure", "workspace", "local"}


def test_every_scope_prints_who_applies_it_and_the_role_it_needs(dev_text):
    for scope in SCOPES:
        assert f"needs: {scope.role}" in dev_text
        assert scope.applied_by in dev_text


def test_settings_only_the_account_stack_can_give_are_to_dos(dev_text):
    todo = "\n".join(todo_section(dev_text))
    assert "set databricksNccId from the account stack's `ncc_id` output" in todo
    assert "storageAllowedSubnetIds" in todo
    assert "pulumi -C infra/account up -s dev" in todo


def test_committed_samples_and_the_landing_upload_are_to_dos(dev_text):
    todo = "\n".join(todo_section(dev_text))
    assert "set pipelineRunAs" in todo and "set storageAccountName" in todo
    assert "catalogName 'clickstream_dev'" in todo
    assert "Storage Blob Data Contributor on the landing container" in todo


def summarize(config, account_config=None, substituted=()):
    plan = preview.Plan("dev", [], {})
    return preview_summary.summarize(plan, None, config, account_config or {}, list(substituted))


def test_a_filled_in_stack_leaves_only_the_checks():
    ws = "clickstream-lakeflow:"
    config = {
        ws + "location": "northeurope",
        ws + "storageAccountName": "acmeclicks",
        ws + "catalogName": "acme_clicks",
        ws + "pipelineRunAs": "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
        ws + "storageDefaultAction": "Deny",
        ws + "storageAllowedIps": '["203.0.113.7"]',
    }
    account = {"clickstream-account:region": "northeurope"}
    assert summarize(config, account).todo == [
        "check catalogName 'acme_clicks' does not exist yet in your metastore"
    ]


def test_a_region_that_differs_from_the_account_stacks_is_a_to_do():
    config = {"clickstream-lakeflow:location": "westeurope"}
    todo = summarize(config, {"clickstream-account:region": "northeurope"}).todo
    assert any("differs from the account stack's region 'northeurope'" in t for t in todo)
