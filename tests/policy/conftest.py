"""Plans for the policy tests: the real program's dev and prod plans under mocks, as rule input,
and ``analyze()``: the pack run by pulumi-policy's analyzer in the pack's own virtualenv."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra import preview
from infra.mocks import preview_ids
from infra.preview_summary import FROM_ACCOUNT_STACK as PREVIEW_VALUES
from policy import model

HOST = "https://adb-1234567890123456.7.azuredatabricks.net"
SUBSCRIPTION = "12345678-1234-1234-1234-123456789abc"
FROM_ACCOUNT_STACK = {
    f"clickstream-lakeflow:{key}": value for key, (_, value) in PREVIEW_VALUES.items()
}
REPO = Path(__file__).resolve().parents[2]
POLICY_PYTHON = REPO / "policy" / "venv" / "bin" / "python"


def stack_config(stack: str) -> tuple[dict[str, str], list[str]]:
    """The stack file's config with the preview's stand-ins for its placeholder ids."""
    config, secrets = preview.stack_file_config(stack)
    config, _ = preview_ids(config)
    config["databricks:host"] = HOST
    config["azure-native:subscriptionId"] = SUBSCRIPTION
    config.update(FROM_ACCOUNT_STACK)  # the account stack's outputs (docs/deploy.md step 5)
    return config, secrets


def plan_resources(stack: str, config: dict[str, str] | None = None) -> list[model.Resource]:
    config, secrets = (config, []) if config is not None else stack_config(stack)
    plan = preview.run(config, stack, secrets, mocks=preview.RecordingMocks(HOST))
    return [
        model.Resource(r.type, r.name, r.inputs, r.protect, f"urn:pulumi:{stack}::{r.name}")
        for r in plan.resources
        if r.custom
    ]


@pytest.fixture(scope="session")
def prod_plan() -> list[model.Resource]:
    return plan_resources("prod")


@pytest.fixture(scope="session")
def dev_plan() -> list[model.Resource]:
    return plan_resources("dev")


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    message: str
    urn: str
    level: str


@pytest.fixture(scope="session")
def policy_python() -> Path:
    """The pack's own interpreter (policy/venv), as the engine uses it."""
    if not POLICY_PYTHON.exists():
        pytest.fail("policy/venv is missing: `make venv` builds it (policy/requirements.txt)")
    return POLICY_PYTHON


def run_analyzer(request: dict[str, Any]) -> Any:
    if not POLICY_PYTHON.exists():
        pytest.fail("policy/venv is missing: `make venv` builds it (policy/requirements.txt)")
    done = subprocess.run(
        [str(POLICY_PYTHON), str(Path(__file__).with_name("analyzer.py"))],
        input=json.dumps(request, default=str),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def analyze(resources: list[model.Resource], config: dict[str, Any]) -> list[Diagnostic]:
    """Every diagnostic the pack reports when the engine sends it these resources."""
    request = {
        "config": config,
        "resources": [
            {
                "type": r.type,
                "name": r.name,
                "urn": r.urn,
                "props": dict(r.props),
                "protect": r.protect,
            }
            for r in resources
        ],
    }
    return [Diagnostic(**d) for d in run_analyzer(request)]
