"""Account stack configuration: every ``pulumi.Config`` read of the account program, once.

``load()`` returns a frozen ``AccountConfig`` or raises ``ConfigError`` naming the key. ``KEYS``
is read from the ``config:`` block of ``infra/account/Pulumi.yaml``, where each setting is
declared once. Nothing here is a credential: the account admin authenticates through the
environment (``az login`` / ``ARM_*``), as for the workspace stacks.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pulumi

from infra.config.keys import (
    AZURE_REGIONS,
    GROUP_NAME,
    GUID,
    HOST,
    WORKSPACE_ID,
    declared_settings,
)
from infra.config.reader import ConfigError, all_config_keys, matching, one_of

# key -> default (None: required), as declared in infra/account/Pulumi.yaml.
PROJECT, KEYS = declared_settings(Path(__file__).resolve().parent / "Pulumi.yaml")


@dataclass(frozen=True)
class AccountConfig:
    """What the account-level objects of one workspace stack need, validated."""

    stack: str
    account_id: str
    accounts_host: str
    region: str
    workspace_id: str
    create_ncc: bool
    pipeline_run_as: str
    admins_group: str


class _Reader:
    def __init__(self) -> None:
        self._config = pulumi.Config(PROJECT)

    def string(self, key: str) -> str:
        value = self._config.get(key)
        if value is None or value == "":
            default = KEYS[key]
            if default is None:
                raise ConfigError(key, f"is required but not set (pulumi config set {key})")
            return str(default)
        return value.strip()

    def boolean(self, key: str) -> bool:
        value = self.string(key).lower()
        if value not in ("true", "false"):
            raise ConfigError(key, f"must be true or false, got {value!r}")
        return value == "true"


def _check_unknown_keys() -> None:
    prefix = PROJECT + ":"
    for full_key in sorted(all_config_keys()):
        if full_key.startswith(prefix) and full_key[len(prefix) :] not in KEYS:
            key = full_key[len(prefix) :]
            hint = difflib.get_close_matches(key, list(KEYS), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ConfigError(
                key,
                f"is not a setting of the account stack (infra/account/Pulumi.yaml){suggestion}",
            )


def load() -> AccountConfig:
    """Read and validate the account stack's settings; raise ConfigError on the first problem."""
    _check_unknown_keys()
    read = _Reader()
    guid_rule = "must be a GUID"
    return AccountConfig(
        stack=pulumi.get_stack(),
        account_id=matching(
            "accountId", read.string("accountId"), GUID, "must be the account id (a GUID)"
        ),
        accounts_host=matching(
            "accountsHost",
            read.string("accountsHost").rstrip("/"),
            HOST,
            "must be the account console URL, https://<host>",
        ),
        region=one_of("region", read.string("region"), AZURE_REGIONS),
        workspace_id=matching(
            "workspaceId",
            read.string("workspaceId"),
            WORKSPACE_ID,
            "must be the numeric workspace id (the <id> of https://adb-<id>.<n>.azuredatabricks.net)",
        ),
        create_ncc=read.boolean("createNcc"),
        pipeline_run_as=matching(
            "pipelineRunAs",
            read.string("pipelineRunAs"),
            GUID,
            f"{guid_rule}: the run-as service principal's application id",
        ),
        admins_group=matching(
            "adminsGroup", read.string("adminsGroup"), GROUP_NAME, "must be a group name"
        ),
    )
