"""What the policy rules read and report: resource type names, a plan's ``Resource``, the stack's
``Settings`` (the pack config), a ``Violation``, and helpers over engine property values.

Plain Python, no ``pulumi_policy``; infra, the tests and the pack (``policy/__main__.py`` puts the
repository on ``sys.path``) all import it as ``policy.model``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

UNKNOWN: Any = type("Unknown", (), {"__repr__": lambda self: "UNKNOWN"})()

STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
CATALOG = "databricks:index/catalog:Catalog"
SCHEMA = "databricks:index/schema:Schema"
GRANTS = "databricks:index/grants:Grants"
GRANT = "databricks:index/grant:Grant"
PIPELINE = "databricks:index/pipeline:Pipeline"
PERMISSIONS = "databricks:index/permissions:Permissions"
NCC = "databricks:index/mwsNetworkConnectivityConfig:MwsNetworkConnectivityConfig"
NCC_PRIVATE_ENDPOINT = "databricks:index/mwsNccPrivateEndpointRule:MwsNccPrivateEndpointRule"
WORKSPACE_PATHS = {
    "databricks:index/directory:Directory": "path",
    "databricks:index/workspaceFile:WorkspaceFile": "path",
    "databricks:index/notebook:Notebook": "path",
    PIPELINE: "rootPath",
    PERMISSIONS: "directoryPath",
}
# What a production stack protects: data, the identities and paths that reach it, the PII key.
STATEFUL = (
    "azure-native:resources:ResourceGroup",
    STORAGE_ACCOUNT,
    "azure-native:storage:BlobContainer",
    "azure-native:databricks:AccessConnector",
    "databricks:index/storageCredential:StorageCredential",
    "databricks:index/externalLocation:ExternalLocation",
    CATALOG,
    SCHEMA,
    "databricks:index/secretScope:SecretScope",
    "databricks:index/secret:Secret",
    "random:index/randomPassword:RandomPassword",
)
ENGINEER_PRIVILEGES = frozenset({"USE_CATALOG", "USE_SCHEMA", "SELECT"})
# Permissions arguments naming an object that has exactly one owner (IS_OWNER) ...
OWNED_OBJECTS = ("pipelineId", "jobId", "sqlEndpointId")
# ... and objects without one, which the deploy principal must manage by name.
MANAGED_OBJECTS = ("directoryPath", "dashboardId")


@dataclass(frozen=True)
class Resource:
    """One resource of a plan: its type token, logical name, input properties and protection."""

    type: str
    name: str
    props: Mapping[str, Any]
    protect: bool = False
    urn: str = ""


@dataclass(frozen=True)
class Settings:
    """What the rules need to know about the stack; the pack gets it as pack config.

    ``deploy_principal`` None (the unit tests' default) checks only that owners are explicit.
    """

    engineers_group: str = "databricks-project-engineers"
    deploy_principal: str | None = None

    @classmethod
    def from_pack_config(cls, config: Mapping[str, Any]) -> Settings:
        """From the properties the engine passes each policy (``CONFIG_PROPERTIES`` names)."""
        return cls(
            engineers_group=str(config["engineersGroup"]),
            deploy_principal=str(config["deployPrincipal"]).lower(),
        )


# Pack config: each property is the stack setting of the same name (policy/config.py copies it).
# Every policy requires them, so a preview or update without --policy-pack-config fails instead of
# checking some default group.
CONFIG_PROPERTIES: dict[str, dict[str, Any]] = {
    "engineersGroup": {
        "type": "string",
        "minLength": 1,
        "description": "The stack's engineersGroup setting",
    },
    "deployPrincipal": {
        "type": "string",
        "minLength": 1,
        "description": "The stack's deployPrincipal setting (the owner of jobs and pipelines)",
    },
}


@dataclass(frozen=True)
class Violation:
    rule: str
    resource: str  # logical name; "" when the stack as a whole is at fault
    message: str
    urn: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"[{self.rule}] {self.resource or '(stack)'}: {self.message}"


def known(value: Any) -> bool:
    return value is not UNKNOWN


def is_shared(path: Any) -> bool:
    if not isinstance(path, str):
        return False
    trimmed = path[len("/Workspace") :] if path.startswith("/Workspace/") else path
    return trimmed == "/Shared" or trimmed.startswith("/Shared/")


def grant_rows(grants: Resource) -> list[Mapping[str, Any]]:
    if grants.type == GRANT:
        return [grants.props]
    rows = grants.props.get("grants")
    return [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []


def privileges_of(row: Mapping[str, Any]) -> list[str]:
    privileges = row.get("privileges")
    return [p for p in privileges if isinstance(p, str)] if isinstance(privileges, list) else []
