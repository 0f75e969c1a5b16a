"""Fixtures for the infra specs: run the real program under fresh Pulumi mocks.

A plan is a function of the config the engine passes and the files of the pipeline folder (the
mocks fake every computed value from logical names), so ``deploy`` runs the program once per
distinct (config, folder content) in a test session and hands each test its own copy. A test that
brings its own mocks (another caller, recorded invokes) always runs the program.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from infra import preview
from infra.account.config import PROJECT as ACCOUNT_PROJECT
from infra.config import PROJECT
from infra.mocks import preview_ids, run_account

HOST = "https://adb-1234567890123456.7.azuredatabricks.net"
SUBSCRIPTION = "12345678-1234-1234-1234-123456789abc"
# What the account stack's outputs give a workspace stack (docs/deploy.md step 5).
NCC_ID = "8d0c2f51-5a5e-4c1e-9a51-0d3f6c3f2a11"
NCC_SUBNETS = [
    "/subscriptions/db-owned/resourceGroups/ncc/providers/Microsoft.Network/"
    f"virtualNetworks/serverless-{n}/subnets/default"
    for n in (1, 2)
]
FROM_ACCOUNT_STACK = {
    "databricksNccId": NCC_ID,
    "storageAllowedSubnetIds": json.dumps(NCC_SUBNETS),
}


def key(name: str) -> str:
    return f"{PROJECT}:{name}"


@pytest.fixture
def pipeline_dir(tmp_path: Path) -> Path:
    """A small pipeline/ tree with files that must and must not be uploaded."""
    root = tmp_path / "pipeline"
    files = {
        "transformations/bronze_events.py": "# bronze\n",
        "transformations/silver_events.py": "# silver\n",
        "clickstream/__init__.py": "",
        "clickstream/runtime.py": "RUNTIME = 1\n",
        "jobs/maintenance.py": "# entry\n",
        "clickstream/tests/test_x.py": "",
        "clickstream/__pycache__/runtime.cpython-311.pyc": "",
        "transformations/__pycache__/bronze_events.cpython-311.pyc": "",
        "tests/test_bronze_events.py": "",
        "spark-pipeline.yml": "name: local\n",
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


Deploy = Callable[..., preview.Plan]
# (config, secret keys, folder digest) -> the plan one run of the program under fresh mocks gave.
_PLANS: dict[tuple[object, ...], preview.Plan] = {}


def _folder_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(root)}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _planned(
    config: dict[str, str], stack: str, secret_keys: list[str], directory: Path
) -> preview.Plan:
    """The plan of the program for this input, run once per input under fresh mocks."""
    key = (stack, tuple(sorted(config.items())), tuple(secret_keys), _folder_digest(directory))
    if key not in _PLANS:
        _PLANS[key] = preview.run(
            config, stack, secret_keys, pipeline_dir=directory, mocks=preview.RecordingMocks(HOST)
        )
    return copy.deepcopy(_PLANS[key])


@pytest.fixture
def env_host() -> str:
    return HOST


@pytest.fixture
def env_subscription() -> str:
    return SUBSCRIPTION


@pytest.fixture(autouse=True)
def no_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for env in ("DATABRICKS_HOST", "ARM_SUBSCRIPTION_ID", "PULUMI_CONFIG"):
        monkeypatch.delenv(env, raising=False)


@pytest.fixture
def deploy(pipeline_dir: Path) -> Deploy:
    """deploy(stack, set={...}, unset=[...], secrets=[...]) -> Plan, on fresh mocks each call.

    The stack file's placeholder ids are replaced by the preview's marked stand-ins first.
    """

    def run(
        stack: str = "dev",
        set: dict[str, str] | None = None,
        unset: tuple[str, ...] = (),
        secrets: tuple[str, ...] = (),
        mocks: preview.RecordingMocks | None = None,
        directory: Path | None = None,
    ) -> preview.Plan:
        config, secret_keys = preview.stack_file_config(stack)
        config, _ = preview_ids(config)  # the stack files ship placeholder ids, refused as such
        config["databricks:host"] = HOST
        config["azure-native:subscriptionId"] = SUBSCRIPTION
        for name, value in FROM_ACCOUNT_STACK.items():
            config[key(name)] = value
        for name, value in (set or {}).items():
            config[name if ":" in name else key(name)] = value
        for name in unset:
            config.pop(name if ":" in name else key(name), None)
        secret_keys += [name if ":" in name else key(name) for name in secrets]
        if mocks is None:
            return _planned(config, stack, secret_keys, directory or pipeline_dir)
        return preview.run(
            config, stack, secret_keys, pipeline_dir=directory or pipeline_dir, mocks=mocks
        )

    return run


# The account stack's settings for the tests (the committed stack files hold only the region).
ACCOUNT_ID = "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
WORKSPACE_ID = "1234567890123456"
RUN_AS = "00000000-0000-0000-0000-00000000f0f0"  # Pulumi.prod.yaml's pipelineRunAs


@pytest.fixture
def deploy_account() -> Callable[..., preview.Plan]:
    """deploy_account(stack, set={...}, unset=[...]) -> Plan of infra/account, on fresh mocks."""

    def run(
        stack: str = "prod",
        set: dict[str, str] | None = None,
        unset: tuple[str, ...] = (),
        mocks: preview.RecordingMocks | None = None,
    ) -> preview.Plan:
        config, _ = preview.stack_file_config(stack, preview.REPO_ROOT / "infra" / "account")
        values = {"accountId": ACCOUNT_ID, "workspaceId": WORKSPACE_ID, "pipelineRunAs": RUN_AS}
        for name, value in {**values, **(set or {})}.items():
            config[f"{ACCOUNT_PROJECT}:{name}"] = value
        for name in unset:
            config.pop(f"{ACCOUNT_PROJECT}:{name}", None)
        return run_account(config, stack, mocks)

    return run
