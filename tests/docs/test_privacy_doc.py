"""docs/privacy.md's key rotation names the resources prod protects and commands that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from clickstream_cli.cloud import build_parser
from clickstream_cli.local import _parser as local_parser
from infra import preview
from infra.mocks import preview_ids
from infra.preview_summary import FROM_ACCOUNT_STACK

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "privacy.md").read_text(encoding="utf-8")
ROTATION = DOC.split("## Rotating the PII key", 1)[1]
HOST = "https://adb-1234567890123456.7.azuredatabricks.net"


def _commands(tool: str) -> list[list[str]]:
    text = ROTATION.replace("\n", " ")
    found = re.findall(rf"`({tool} [^`]+)`", text)
    return [shlex.split(" ".join(c.split()))[1:] for c in found]


def test_the_rotation_names_the_key_resources_that_prod_protects():
    config, secrets = preview.stack_file_config("prod")
    config, _ = preview_ids(config)
    config["databricks:host"] = HOST
    config["azure-native:subscriptionId"] = "12345678-1234-1234-1234-123456789abc"
    config.update({f"clickstream-lakeflow:{k}": v for k, (_, v) in FROM_ACCOUNT_STACK.items()})
    plan = preview.run(config, "prod", secrets, mocks=preview.RecordingMocks(HOST))
    named = {r.name: r for r in plan.resources if "pii-hash-key" in r.name}
    secret = [r for n, r in named.items() if n.endswith("-pii-hash-key-secret")]
    generated = [r for n, r in named.items() if n.endswith("-pii-hash-key")]
    assert "`...-pii-hash-key-secret`" in ROTATION and "`...-pii-hash-key`" in ROTATION
    assert [r.type for r in secret] == ["databricks:index/secret:Secret"]
    assert [r.type for r in generated] == ["random:index/randomPassword:RandomPassword"]
    assert all(r.protect for r in secret + generated)


def test_the_rebuild_commands_parse():
    cloud, local = _commands("clickstream-cloud"), _commands("clickstream-local")
    assert cloud and local
    for argv in cloud:
        assert build_parser().parse_args(argv).full_refresh is True
    for argv in local:
        assert local_parser().parse_args([*argv, "--home", "h", "--landing", "l"]).full_refresh
