"""Reading the deployed pipeline from the stack, and where the workspace host comes from."""

import pytest
from cloud_fakes import PIPELINE_ID, fake_pulumi

from clickstream_cli.stack_outputs import PulumiStack
from clickstream_cli.workspace import WorkspaceError, connect


def test_pipeline_id_is_read_with_pulumi_stack_output_json():
    pulumi = fake_pulumi({"pipeline_id": PIPELINE_ID})

    assert PulumiStack("prod", run=pulumi).pipeline_id() == PIPELINE_ID
    assert pulumi.calls == [["pulumi", "stack", "output", "--json", "--stack", "prod"]]


def test_workspace_host_is_taken_from_the_pipeline_url_output():
    url = "https://adb-1.azuredatabricks.example/#joblist/pipelines/p-1"
    stack = PulumiStack("dev", run=fake_pulumi({"pipeline_id": "p-1", "pipeline_url": url}))

    assert stack.databricks_host() == "https://adb-1.azuredatabricks.example"


def test_stack_host_is_used_only_when_the_environment_gives_none():
    attempts = []

    def factory(**config):
        attempts.append(config)
        if "host" not in config:
            raise ValueError("default auth: cannot configure default credentials")
        return "client"

    client = connect(profile=None, fallback_host=lambda: "https://stack.example", factory=factory)

    assert client == "client"
    assert attempts == [{}, {"host": "https://stack.example"}]


def test_an_explicit_profile_is_never_replaced_by_the_stack_host():
    def factory(**config):
        raise ValueError("resolve: ~/.databrickscfg has no ci profile configured. Config: ...")

    with pytest.raises(
        WorkspaceError, match="profile 'ci': resolve: .* has no ci profile configured$"
    ):
        connect(profile="ci", fallback_host=lambda: "https://stack.example", factory=factory)


def test_stack_host_without_credentials_asks_for_a_token_not_a_host():
    def factory(**config):
        raise ValueError("default auth: cannot configure default credentials")

    with pytest.raises(WorkspaceError) as error:
        connect(profile=None, fallback_host=lambda: "https://stack.example", factory=factory)

    assert "https://stack.example (from the stack)" in str(error.value)
    assert "DATABRICKS_TOKEN" in str(error.value) and "DATABRICKS_HOST" not in str(error.value)
