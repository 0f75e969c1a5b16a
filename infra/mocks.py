"""Pulumi mocks that record every resource, and ``run()``: the program offline, as tests run it.

``RecordingMocks`` fakes what the cloud would compute (names, ids, identities, the NCC's subnets)
and records each resource's inputs and options (protect, parent, dependencies, aliases, ignored
changes) and every data source the program calls.
``stack_file_config`` reads ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` the way the engine would.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime.mocks import MockMonitor

from infra import config as stack_config
from infra.config.keys import PLACEHOLDER_GUID
from infra.pipeline import PIPELINE_DIR

REPO_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_HOST = "https://adb-0000000000000000.0.azuredatabricks.net"
PLACEHOLDER_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
FAKE_TENANT = "11111111-1111-1111-1111-111111111111"
FAKE_PRINCIPAL = "22222222-2222-2222-2222-222222222222"
FAKE_DEPLOYER = "deployer@example.com"
# Offline stand-ins for the placeholder ids of the stack files (all zeros but the last group,
# refused by infra.config): version-4-shaped, so the program accepts them, and marked by this
# prefix. The last group is kept, so dev and prod stay distinct. Only the offline preview and the
# tests use them; `pulumi preview`/`up` read the stack files as they are.
PREVIEW_ID_PREFIX = "00000000-0000-4000-8000-"

# azure-native resources are named by one input; the cloud echoes it back as `name`.
_AZURE_NAME_INPUT = {
    "azure-native:resources:ResourceGroup": "resourceGroupName",
    "azure-native:storage:StorageAccount": "accountName",
    "azure-native:storage:BlobContainer": "containerName",
    "azure-native:storage:BlobServiceProperties": "blobServicesName",
    "azure-native:storage:ManagementPolicy": "managementPolicyName",
    "azure-native:databricks:AccessConnector": "connectorName",
    "azure-native:authorization:RoleAssignment": "roleAssignmentName",
}
# The NCC's stable subnets as the account API would list them (Databricks-owned subnets).
FAKE_NCC_SUBNETS = [
    "/subscriptions/ncc-fake/resourceGroups/ncc/providers/Microsoft.Network/"
    f"virtualNetworks/serverless-{n}/subnets/default"
    for n in (1, 2)
]


@dataclass
class Recorded:
    """One registered resource: what the program asked for."""

    type: str
    name: str
    inputs: dict[str, Any]
    custom: bool
    protect: bool = False
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    provider: str = ""
    ignore_changes: list[str] = field(default_factory=list)


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every resource and fakes the outputs the cloud computes."""

    def __init__(self, host: str = PLACEHOLDER_HOST, current_user: str = FAKE_DEPLOYER) -> None:
        self.host = host.rstrip("/")
        self.current_user = current_user  # who databricks.get_current_user would say runs Pulumi
        self.resources: list[Recorded] = []
        self.invokes: list[str] = []  # the token of every data source the program called
        self._options: dict[tuple[str, str], dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        options = self._options.pop((args.typ, args.name), {})
        self.resources.append(
            Recorded(args.typ, args.name, dict(args.inputs), bool(args.custom), **options)
        )
        # Fake ids follow from the logical name, not from the order of registration (which
        # varies between runs), so two runs of one program fake the same ids.
        serial = int(hashlib.sha256(args.name.encode()).hexdigest(), 16) % 10**12
        outputs = dict(args.inputs)
        typ = args.typ
        resource_id = f"{args.name}-id"
        if typ.startswith("azure-native:"):
            name = args.inputs.get(_AZURE_NAME_INPUT.get(typ, ""), args.name)
            if typ == "azure-native:authorization:RoleAssignment":
                name = f"00000000-0000-0000-0000-{serial:012d}"
            outputs["name"] = name
            resource_id = (
                f"/subscriptions/{PLACEHOLDER_SUBSCRIPTION}/fake/{typ.split(':')[-1]}/{name}"
            )
            if typ == "azure-native:databricks:AccessConnector":
                outputs["identity"] = {
                    **(args.inputs.get("identity") or {}),
                    "principalId": FAKE_PRINCIPAL,
                    "tenantId": FAKE_TENANT,
                }
        elif typ == "databricks:index/schema:Schema":
            resource_id = f"{args.inputs.get('catalogName')}.{args.inputs.get('name')}"
        elif typ in (
            "databricks:index/catalog:Catalog",
            "databricks:index/secretScope:SecretScope",
            "databricks:index/storageCredential:StorageCredential",
            "databricks:index/externalLocation:ExternalLocation",
        ):
            resource_id = args.inputs.get("name", resource_id)
        elif typ == "databricks:index/pipeline:Pipeline":
            resource_id = f"0000aaaa-bbbb-cccc-dddd-{serial:012d}"
            outputs["url"] = f"{self.host}/pipelines/{resource_id}"
        elif typ == "databricks:index/job:Job":
            resource_id = str(100000 + serial % 10**6)
        elif typ in (
            "databricks:index/directory:Directory",
            "databricks:index/workspaceFile:WorkspaceFile",
        ):
            resource_id = args.inputs.get("path", resource_id)
        elif typ == "random:index/randomPassword:RandomPassword":
            outputs["result"] = "x" * int(args.inputs.get("length", 16))
        elif typ == "databricks:index/secret:Secret":
            scope, key = args.inputs.get("scope"), args.inputs.get("key")
            resource_id = f"{scope}|||{key}"
            outputs["configReference"] = f"{{{{secrets/{scope}/{key}}}}}"
        elif typ == "databricks:index/mwsNetworkConnectivityConfig:MwsNetworkConnectivityConfig":
            ncc_id = f"ncc00000-0000-0000-0000-{serial:012d}"
            resource_id = f"account/{ncc_id}"
            outputs["networkConnectivityConfigId"] = ncc_id
            outputs["egressConfig"] = {
                "defaultRules": {
                    "azureServiceEndpointRule": {
                        "subnets": list(FAKE_NCC_SUBNETS),
                        "targetRegion": args.inputs.get("region"),
                        "targetServices": ["AZURE_BLOB_STORAGE"],
                    }
                }
            }
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        self.invokes.append(args.token)
        if args.token == "databricks:index/getCurrentUser:getCurrentUser":
            user = {
                "id": "1",
                "userName": self.current_user,
                "home": f"/Users/{self.current_user}",
            }
            return user, []
        return {}, []

    def remember_options(self, typ: str, name: str, options: dict[str, Any]) -> None:
        self._options[(typ, name)] = options

    def of_type(self, typ: str) -> list[Recorded]:
        return [r for r in self.resources if r.type == typ]

    def named(self, name: str) -> Recorded:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]


class _RecordingMonitor(MockMonitor):
    """Passes resource options (protect, parent, dependencies) that mocks never see."""

    mocks: RecordingMocks

    def RegisterResource(self, request):
        self.mocks.remember_options(
            request.type,
            request.name,
            {
                "protect": bool(request.protect),
                "parent": request.parent,
                "dependencies": sorted(request.dependencies),
                "aliases": [str(alias) for alias in request.aliases] + list(request.aliasURNs),
                "provider": request.provider,
                "ignore_changes": list(request.ignoreChanges),
            },
        )
        return super().RegisterResource(request)


@dataclass
class Plan:
    """The result of one offline run."""

    stack: str
    resources: list[Recorded]
    outputs: dict[str, Any]

    def of_type(self, typ: str) -> list[Recorded]:
        return [r for r in self.resources if r.type == typ]

    def only(self, typ: str) -> Recorded:
        found = self.of_type(typ)
        if len(found) != 1:
            raise LookupError(f"expected one {typ}, found {len(found)}")
        return found[0]


def run(
    config: dict[str, str],
    stack: str,
    secret_keys: list[str] | None = None,
    pipeline_dir: Path = PIPELINE_DIR,
    mocks: RecordingMocks | None = None,
) -> Plan:
    """Run load() + build() under fresh mocks; raise ConfigError before any resource exists."""
    from infra.program import build

    return run_program(
        lambda: build(stack_config.load(), pipeline_dir),
        stack_config.PROJECT,
        config,
        stack,
        secret_keys,
        mocks,
    )


def run_account(
    config: dict[str, str],
    stack: str,
    mocks: RecordingMocks | None = None,
) -> Plan:
    """The account stack (infra/account) under fresh mocks, as ``run`` does the workspace stack."""
    from infra.account import config as account_config
    from infra.account.program import build

    return run_program(
        lambda: build(account_config.load()), account_config.PROJECT, config, stack, [], mocks
    )


def run_program(
    program: Callable[[], dict[str, pulumi.Output]],
    project: str,
    config: dict[str, str],
    stack: str,
    secret_keys: list[str] | None = None,
    mocks: RecordingMocks | None = None,
) -> Plan:
    """Run one Pulumi program (load + build) under fresh mocks and record what it declares."""
    mocks = mocks or RecordingMocks()
    pulumi.runtime.set_mocks(
        mocks,
        project=project,
        stack=stack,
        preview=False,
        monitor=_RecordingMonitor(mocks),
    )
    pulumi.runtime.set_all_config(dict(config), list(secret_keys or []))
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def declared():
        return pulumi.Output.all(**program()).apply(outputs.update)

    declared()
    return Plan(stack, mocks.resources, outputs)


def preview_ids(config: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """config with every placeholder id replaced by its marked stand-in, and the keys replaced."""
    replaced = dict(config)
    keys: list[str] = []
    for key, value in config.items():
        if isinstance(value, str) and PLACEHOLDER_GUID.match(value):
            replaced[key] = PREVIEW_ID_PREFIX + value[len(PREVIEW_ID_PREFIX) :]
            keys.append(key)
    return replaced, keys


def flatten(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def stack_file_config(stack: str, root: Path = REPO_ROOT) -> tuple[dict[str, str], list[str]]:
    """Pulumi.yaml defaults overlaid with Pulumi.<stack>.yaml, as the engine would pass them."""
    project = yaml.safe_load((root / "Pulumi.yaml").read_text())
    stack_path = root / f"Pulumi.{stack}.yaml"
    if not stack_path.exists():
        raise stack_config.ConfigError("stack", f"no {stack_path.name} next to Pulumi.yaml")
    stack_values = (yaml.safe_load(stack_path.read_text()) or {}).get("config") or {}
    config: dict[str, str] = {}
    for key, spec in (project.get("config") or {}).items():
        if isinstance(spec, dict) and "default" in spec:
            config[f"{project['name']}:{key}"] = flatten(spec["default"])
    secrets: list[str] = []
    for key, value in stack_values.items():
        if isinstance(value, dict) and "secure" in value:
            # Ciphertext cannot be read offline: stand in a value of the right shape.
            config[key] = "0" * 64
            secrets.append(key)
        else:
            config[key] = flatten(value)
    return config, secrets
