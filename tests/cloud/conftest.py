"""Fixtures for clickstream-cloud: the CLI run in-process against a mocked workspace, or against
the real databricks-sdk client talking to a local HTTP stub of the Pipelines API."""

from __future__ import annotations

import io
import os
from unittest.mock import create_autospec

import pytest
from cloud_fakes import HOST, PIPELINE_ID, UPDATE_ID, Result, Workspace, fake_pulumi
from databricks.sdk import WorkspaceClient
from databricks.sdk.core import ApiClient
from databricks.sdk.service.pipelines import PipelinesAPI, StartUpdateResponse
from pipelines_stub import FakeTime, PipelinesStub
from rich.console import Console

from clickstream_cli import cloud
from clickstream_cli.stack_outputs import PulumiStack
from clickstream_cli.workspace import make_client

TOKEN = "dapi-test-token"
# The SDK's own retry budget in tests (seconds on the fake clock, so no real waiting).
SDK_RETRY_SECONDS = 5


@pytest.fixture
def no_databricks_credentials(monkeypatch, tmp_path):
    """An environment with no Databricks, Azure or OIDC credentials and no ~/.databrickscfg."""
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_", "AZURE_", "ACTIONS_ID_TOKEN", "GOOGLE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "absent.cfg"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no az, no databricks CLI to ask


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def stub():
    with PipelinesStub(PIPELINE_ID, UPDATE_ID) as running:
        yield running


@pytest.fixture
def sdk_client(stub, fake_time, no_databricks_credentials):
    """Real WorkspaceClients for the stub: token auth, the SDK's retries on the fake clock."""

    def factory(**config) -> WorkspaceClient:
        config.setdefault("token", TOKEN)
        return make_client(
            host=stub.url, clock=fake_time, retry_timeout_seconds=SDK_RETRY_SECONDS, **config
        )

    return factory


@pytest.fixture
def workspace() -> Workspace:
    client = create_autospec(WorkspaceClient, instance=True)
    # autospec does not follow properties: spec the services used, so wrong arguments fail.
    client.pipelines = create_autospec(PipelinesAPI, instance=True)
    client.api_client = create_autospec(ApiClient, instance=True)
    client.config.host = HOST
    client.pipelines.start_update.return_value = StartUpdateResponse(update_id=UPDATE_ID)
    return Workspace(client)


@pytest.fixture
def cli(workspace, capsys):
    """Run ``clickstream-cloud`` in-process against the fakes; polling never really sleeps."""

    def invoke(
        *argv: str,
        outputs=None,
        pulumi=None,
        client_factory=None,
        terminal=False,
        time: FakeTime | None = None,
        console=None,  # a factory of the output console, given the output file
    ) -> Result:
        run = pulumi or fake_pulumi({"pipeline_id": PIPELINE_ID} if outputs is None else outputs)
        time = time or FakeTime()
        out = io.StringIO()
        code = cloud.main(
            list(argv),
            stack_factory=lambda name: PulumiStack(name, run=run),
            client_factory=client_factory or (lambda **_: workspace.client),
            sleep=time.sleep,
            clock=time.time,
            console=console(out)
            if console
            else Console(file=out, width=200, color_system=None, force_terminal=terminal),
        )
        return Result(code, out.getvalue(), capsys.readouterr().err, time.slept)

    return invoke
