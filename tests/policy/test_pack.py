"""The pack's wiring: every rule is registered, the pack has its own pinned dependencies, and
`make preview` fails on a violation with a message naming the rule and the resource."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import grpc
import yaml
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from infra import preview
from policy import config as pack_config
from policy import model, rules

POLICY = Path(__file__).resolve().parents[2] / "policy"


def test_pack_is_a_python_policy_pack_with_its_own_virtualenv():
    spec = yaml.safe_load((POLICY / "PulumiPolicy.yaml").read_text())
    assert spec["runtime"]["name"] == "python"
    assert spec["runtime"]["options"]["virtualenv"] == "venv"


def test_pack_pins_pulumi_policy():
    lines = (POLICY / "requirements.txt").read_text().splitlines()
    assert "pulumi-policy==1.21.0" in lines


def test_pack_registers_every_rule_as_a_mandatory_policy():
    source = (POLICY / "pack.py").read_text()
    tree = ast.parse(source)
    names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert {"RESOURCE_RULES", "STACK_RULES", "MANDATORY"} <= names
    assert len(rules.RESOURCE_RULES) + len(rules.STACK_RULES) == 10


def test_the_pack_program_started_as_the_engine_starts_it_serves_every_rule(policy_python):
    # The engine runs the pack's program from policy/ in its own virtualenv; the program prints
    # the port of its analyzer and serves it until stopped.
    program = subprocess.Popen(
        [str(policy_python), "."], cwd=POLICY, stdout=subprocess.PIPE, text=True
    )
    try:
        port = int(program.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            info = analyzer_pb2_grpc.AnalyzerStub(channel).GetAnalyzerInfo(
                empty_pb2.Empty(), timeout=30
            )
    finally:
        program.kill()
        program.wait()
    assert {p.name for p in info.policies} == {*rules.RESOURCE_RULES, *rules.STACK_RULES}
    assert {p.enforcementLevel for p in info.policies} == {
        analyzer_pb2.EnforcementLevel.Value("MANDATORY")
    }


def test_pack_config_gives_every_policy_the_stacks_settings(tmp_path):
    out = tmp_path / "pack-config.json"
    assert pack_config.main(["--stack", "prod", "--out", str(out)]) == 0
    written = json.loads(out.read_text())
    assert set(written) == {*rules.RESOURCE_RULES, *rules.STACK_RULES}
    config, _ = preview.stack_file_config("prod")
    for properties in written.values():
        assert properties == {
            "engineersGroup": config["clickstream-lakeflow:engineersGroup"],
            "deployPrincipal": config["clickstream-lakeflow:deployPrincipal"],
        }


def test_pack_config_of_an_unknown_stack_fails_naming_it(capsys):
    assert pack_config.main(["--stack", "staging"]) == 1
    assert "Pulumi.staging.yaml" in capsys.readouterr().err


def test_preview_checks_the_engineers_group_the_stack_configures(capsys, monkeypatch):
    real_config, real_run = preview.stack_file_config, preview.run

    def analysts(stack, root=preview.REPO_ROOT):
        config, secrets = real_config(stack, root)
        config["clickstream-lakeflow:engineersGroup"] = "analysts"
        return config, secrets

    def run_with_analysts_on_raw(*args, **kwargs):
        plan = real_run(*args, **kwargs)
        for grants in plan.of_type(model.GRANTS):
            if grants.inputs.get("schema", "").endswith("_raw"):
                grants.inputs["grants"].append({"principal": "analysts", "privileges": ["SELECT"]})
        return plan

    monkeypatch.setattr(preview, "stack_file_config", analysts)
    monkeypatch.setattr(preview, "run", run_with_analysts_on_raw)
    assert preview.main(["--stack", "dev"]) == 1
    assert "[engineers-nothing-on-raw-schema]" in capsys.readouterr().err


def test_preview_fails_on_a_policy_violation_naming_rule_and_resource(capsys, monkeypatch):
    real_run = preview.run

    def run_with_shared_folder(*args, **kwargs):
        plan = real_run(*args, **kwargs)
        for resource in plan.of_type("databricks:index/directory:Directory"):
            resource.inputs["path"] = "/Shared/clickstream-lakeflow/dev"
        return plan

    monkeypatch.setattr(preview, "run", run_with_shared_folder)
    assert preview.main(["--stack", "dev"]) == 1
    err = capsys.readouterr().err
    assert "[no-workspace-code-under-shared] clickstream-lakeflow-folder: path" in err


def test_preview_passes_the_committed_stacks(capsys):
    assert preview.main(["--stack", "prod", "--json"]) == 0
    assert "policy violation" not in capsys.readouterr().err
