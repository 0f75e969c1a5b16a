"""Fixtures for clickstream-cloud: a mocked workspace and the CLI run in-process against fakes."""

from __future__ import annotations

import io
from unittest.mock import create_autospec

import pytest
from cloud_fakes import HOST, PIPELINE_ID, UPDATE_ID, Result, Workspace, fake_pulumi
from databricks.sdk import WorkspaceClient
from databricks.sdk.core import ApiClient
from databricks.sdk.service.pipelines import PipelinesAPI, StartUpdateResponse
from rich.console import Console

from clickstream_cli import cloud
from clickstream_cli.stack_outputs import PulumiStack


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
        *argv: str, outputs=None, pulumi=None, client_factory=None, terminal=False
    ) -> Result:
        run = pulumi or fake_pulumi({"pipeline_id": PIPELINE_ID} if outputs is None else outputs)
        sleeps: list[float] = []
        out = io.StringIO()
        code = cloud.main(
            list(argv),
            stack_factory=lambda name: PulumiStack(name, run=run),
            client_factory=client_factory or (lambda **_: workspace.client),
            sleep=sleeps.append,
            console=Console(file=out, width=200, color_system=None, force_terminal=terminal),
        )
        return Result(code, out.getvalue(), capsys.readouterr().err, sleeps)

    return invoke
