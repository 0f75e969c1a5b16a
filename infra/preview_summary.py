"""The end of ``make preview``: resources per scope, the rights each scope needs, and a to-do list.

Plain data from the two offline plans (the workspace stack and its account stack) and the config
they ran with, so a test can check every line; ``infra.preview`` prints it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from infra.mocks import FAKE_NCC_SUBNETS, Plan
from infra.rights import ACCOUNT, AZURE, SCOPES, WORKSPACE

FILE_UPLOAD = "databricks:index/workspaceFile:WorkspaceFile"
RBAC_WAIT = "time:index/sleep:Sleep"
PLACEHOLDER_GUID = "00000000-0000-0000-0000-"

WORKSPACE_PROJECT = "clickstream-lakeflow"
ACCOUNT_PROJECT = "clickstream-account"

# Workspace settings the account stack's outputs fill in -> (output, preview value used offline).
FROM_ACCOUNT_STACK = {
    "databricksNccId": ("ncc_id", PLACEHOLDER_GUID + "0000000000cc"),
    "storageAllowedSubnetIds": ("storage_subnet_ids", json.dumps(FAKE_NCC_SUBNETS)),
}
# Account settings without a committed value -> preview value used offline.
ACCOUNT_PREVIEW_VALUES = {
    "accountId": PLACEHOLDER_GUID + "000000000000",
    "workspaceId": "1000000000000000",
    "pipelineRunAs": PLACEHOLDER_GUID + "000000000000",
}
# Committed sample values a deployer must replace or check (see the stack files' header).
SAMPLE_STORAGE_NAMES = frozenset({"clickstreamlakedev", "clickstreamlakeprod"})


@dataclass
class Summary:
    """Resource counts per scope, file uploads, and what the user still has to do."""

    stack: str
    counts: dict[str, int] = field(default_factory=dict)
    file_uploads: int = 0
    todo: list[str] = field(default_factory=list)


def scope_of(resource_type: str, account_stack: bool) -> str:
    """Azure, workspace or account: where a resource lives and whose rights create it."""
    if account_stack:
        return ACCOUNT.scope
    if resource_type.startswith("azure-native:") or resource_type == RBAC_WAIT:
        return AZURE.scope  # the wait is for Azure RBAC
    if resource_type.startswith("databricks:"):
        return WORKSPACE.scope
    return "local"  # random values, computed by the engine without any cloud call


def _key(project: str, name: str) -> str:
    return f"{project}:{name}"


def summarize(
    workspace: Plan,
    account: Plan | None,
    config: dict[str, str],
    account_config: dict[str, str],
    substituted: list[str],
) -> Summary:
    """Counts and to-dos for one stack; ``substituted`` lists the keys given preview values."""
    summary = Summary(workspace.stack, {s.scope: 0 for s in SCOPES})
    for plan, on_account in ((workspace, False), (account, True)):
        for resource in plan.resources if plan else []:
            if resource.custom and not resource.type.startswith("pulumi:providers:"):
                scope = scope_of(resource.type, on_account)
                summary.counts[scope] = summary.counts.get(scope, 0) + 1
    summary.file_uploads = len(workspace.of_type(FILE_UPLOAD))
    summary.todo = _todo(workspace.stack, config, account_config, substituted)
    return summary


def _todo(
    stack: str, config: dict[str, str], account_config: dict[str, str], substituted: list[str]
) -> list[str]:
    def ws(name: str) -> str:
        return config.get(_key(WORKSPACE_PROJECT, name), "")

    def acc(name: str) -> str:
        return account_config.get(_key(ACCOUNT_PROJECT, name), "")

    todo: list[str] = []
    account_missing = [k for k in ACCOUNT_PREVIEW_VALUES if _key(ACCOUNT_PROJECT, k) in substituted]
    if account_missing:
        todo.append(
            f"account admin: set {', '.join(account_missing)} in infra/account/Pulumi.{stack}.yaml"
            f" and run `pulumi -C infra/account up -s {stack}` (docs/deploy.md step 4)"
        )
    for name, (output, _) in FROM_ACCOUNT_STACK.items():
        if _key(WORKSPACE_PROJECT, name) in substituted:
            todo.append(
                f"set {name} from the account stack's `{output}` output (docs/deploy.md step 5)"
            )
    for name, env in (
        ("databricks:host", "DATABRICKS_HOST"),
        ("azure-native:subscriptionId", "ARM_SUBSCRIPTION_ID"),
    ):
        if name in substituted:
            todo.append(f"export {env} (or set {name}): a placeholder stood in for it")
    for name in ("pipelineRunAs", "deployPrincipal"):
        if _key(WORKSPACE_PROJECT, name) in substituted:
            todo.append(f"set {name}: the committed GUID is a placeholder (docs/deploy.md step 6)")
    if ws("storageAccountName") in SAMPLE_STORAGE_NAMES:
        todo.append(
            f"set storageAccountName: {ws('storageAccountName')!r} is the repository's sample; "
            "names are globally unique across Azure"
        )
    if acc("region") and acc("region") != ws("location"):
        todo.append(
            f"location {ws('location')!r} differs from the account stack's region "
            f"{acc('region')!r}: both must be the workspace's region"
        )
    for name in ("pipelineRunAs", "adminsGroup"):
        given = _key(ACCOUNT_PROJECT, name) not in substituted
        if given and acc(name) and ws(name) and acc(name) != ws(name):
            todo.append(f"{name} differs between the workspace stack and the account stack")
    todo.append(f"check catalogName {ws('catalogName')!r} does not exist yet in your metastore")
    if ws("storageDefaultAction") != "Allow" and ws("storageAllowedIps") in ("", "[]"):
        todo.append(
            "to upload events from your machine: your public IP in storageAllowedIps and "
            "Storage Blob Data Contributor on the landing container (docs/deploy.md step 8)"
        )
    return todo
