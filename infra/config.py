"""Stack configuration: every ``pulumi.Config`` read happens here, once, before any resource.

``load()`` returns a frozen ``StackConfig`` or raises ``ConfigError`` naming the key and what is
wrong with it. Every key is documented (type, description, default) in ``Pulumi.yaml``; ``KEYS``
below is the program's copy of that list and a test keeps the two in step.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

PROJECT = "clickstream-lakeflow"

# key -> default (None: required). "" means "derived from another value or the stack name".
KEYS: dict[str, Any] = {
    "location": None,
    "resourceGroupName": "",
    "storageAccountName": None,
    "storageSku": None,
    "storageDefaultAction": "Deny",
    "storageAllowedIps": [],
    "storageAllowedSubnetIds": [],
    "catalogName": None,
    "schemaName": "clickstream_dlt",
    "rawSchemaName": "",
    "adminsGroup": "databricks-project-admins",
    "engineersGroup": "databricks-project-engineers",
    "pipelineRunAs": "",
    "secretScope": "",
    "piiHashKey": "",
    "workspaceFolder": "",
    "development": None,
    "protect": None,
    "trigger": "schedule",
    "scheduleCron": "",
    "scheduleTimezone": "UTC",
    "notificationEmails": [],
    # --- Dashboards (infra/dashboard.py) ---
    "sqlWarehouseId": "",
}

# Provider settings the program needs; each may come from the environment instead.
HOST_KEY, HOST_ENV = "databricks:host", "DATABRICKS_HOST"
SUBSCRIPTION_KEY, SUBSCRIPTION_ENV = "azure-native:subscriptionId", "ARM_SUBSCRIPTION_ID"

# Credentials belong in the environment (or OIDC), never in a stack file.
CREDENTIAL_KEYS = (
    "databricks:token",
    "databricks:password",
    "databricks:clientSecret",
    "databricks:azureClientSecret",
    "azure-native:clientSecret",
    "azure-native:clientCertificatePassword",
)

AZURE_REGIONS = frozenset(
    """
    australiacentral australiaeast australiasoutheast austriaeast belgiumcentral brazilsouth
    canadacentral canadaeast centralindia centralus chilecentral eastasia eastus eastus2
    francecentral germanywestcentral indonesiacentral israelcentral italynorth japaneast
    japanwest koreacentral koreasouth malaysiawest mexicocentral newzealandnorth northcentralus
    northeurope norwayeast polandcentral qatarcentral southafricanorth southcentralus
    southeastasia southindia spaincentral swedencentral switzerlandnorth uaenorth uksouth ukwest
    westcentralus westeurope westus westus2 westus3
    """.split()
)
STORAGE_SKUS = (
    "Standard_LRS",
    "Standard_ZRS",
    "Standard_GRS",
    "Standard_GZRS",
    "Standard_RAGRS",
    "Standard_RAGZRS",
)
TRIGGERS = ("schedule", "continuous")
DEFAULT_ACTIONS = ("Deny", "Allow")

_STORAGE_NAME = re.compile(r"^[a-z0-9]{3,24}$")
_UC_NAME = re.compile(r"^[a-z][a-z0-9_]{0,254}$")
_GROUP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,254}$")
_RESOURCE_GROUP = re.compile(r"^[-\w.()]{1,89}[-\w()]$")
_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HOST = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?/?$")
_SUBNET_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/"
    r"virtualNetworks/[^/]+/subnets/[^/]+$",
    re.IGNORECASE,
)
_WAREHOUSE_ID = re.compile(r"^[0-9a-fA-F]{16}$")
_WORKSPACE_FOLDER = re.compile(r"^/(Shared|Users)/[A-Za-z0-9_./@-]+$")


class ConfigError(ValueError):
    """A stack setting is missing or invalid; the message names the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class StackConfig:
    """Everything the program needs to know about one stack, validated."""

    stack: str
    location: str
    resource_group_name: str | None  # None: the stack creates its own resource group
    storage_account_name: str
    storage_sku: str
    storage_default_action: str
    storage_allowed_ips: tuple[str, ...]
    storage_allowed_subnet_ids: tuple[str, ...]
    catalog_name: str
    schema_name: str
    raw_schema_name: str
    admins_group: str
    engineers_group: str
    pipeline_run_as: str | None  # service principal application id; None: the deployer
    secret_scope: str
    pii_hash_key: pulumi.Output[str] | None  # None: generated with pulumi_random
    workspace_folder: str
    development: bool
    protect: bool
    trigger: str
    schedule_cron: str | None
    schedule_timezone: str
    notification_emails: tuple[str, ...]
    databricks_host: str
    subscription_id: str
    # --- Dashboards (infra/dashboard.py) ---
    sql_warehouse_id: str | None = None  # an existing SQL warehouse; None: the stack creates one

    @property
    def scheduled(self) -> bool:
        return self.trigger == "schedule"

    @property
    def new_resource_group_name(self) -> str:
        return f"rg-clickstream-{self.stack}"


def all_config_keys() -> set[str]:
    """Every config key the engine passed to this program (set explicitly or via the env)."""
    return set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())


def _is_secret(full_key: str) -> bool:
    return runtime_config.is_config_secret(full_key) or (
        full_key in runtime_config.get_config_secret_keys_env()
    )


class _Reader:
    """Typed access to the project namespace that turns every failure into a ConfigError."""

    def __init__(self) -> None:
        self._config = pulumi.Config(PROJECT)

    def raw(self, key: str) -> str | None:
        value = self._config.get(key)
        return None if value is None or value == "" else value

    def string(self, key: str) -> str:
        value = self.raw(key)
        if value is None:
            default = KEYS[key]
            if default is None:
                raise ConfigError(key, "is required but not set (pulumi config set " + key + ")")
            return default
        return value

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if value is None:
            raise ConfigError(key, "is required but not set (true or false)")
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            raise ConfigError(key, f"must be true or false, got {value!r}")
        return lowered == "true"

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if value is None:
            return tuple(KEYS[key])
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            raise ConfigError(key, f"must be a list of strings, got {value!r}") from None
        if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
            raise ConfigError(key, f"must be a list of strings, got {value!r}")
        return tuple(parsed)


def _one_of(key: str, value: str, allowed: tuple[str, ...] | frozenset[str]) -> str:
    if value not in allowed:
        hint = difflib.get_close_matches(value, list(allowed), n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        choices = ", ".join(sorted(allowed)) if len(allowed) <= 8 else "an Azure region name"
        raise ConfigError(key, f"must be {choices}; got {value!r}{suggestion}")
    return value


def _matching(key: str, value: str, pattern: re.Pattern[str], rule: str) -> str:
    if not pattern.match(value):
        raise ConfigError(key, f"{rule}; got {value!r}")
    return value


def _check_unknown_keys() -> None:
    prefix = PROJECT + ":"
    for full_key in sorted(all_config_keys()):
        if full_key.startswith(prefix):
            key = full_key[len(prefix) :]
            if key not in KEYS:
                hint = difflib.get_close_matches(key, list(KEYS), n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                raise ConfigError(
                    key, f"is not a setting of this project (see Pulumi.yaml){suggestion}"
                )
        elif full_key in CREDENTIAL_KEYS and not _is_secret(full_key):
            raise ConfigError(
                full_key,
                "is a credential in plain text; remove it and use the environment or OIDC",
            )


def _from_config_or_env(key: str, env: str) -> str | None:
    namespace, name = key.split(":")
    value = pulumi.Config(namespace).get(name) or os.environ.get(env)
    return value.strip() if value else None


def load() -> StackConfig:
    """Read and validate the stack's configuration; raise ConfigError on the first problem."""
    _check_unknown_keys()
    read = _Reader()
    stack = pulumi.get_stack()

    location = _one_of("location", read.string("location").lower(), AZURE_REGIONS)
    resource_group = read.raw("resourceGroupName")
    if resource_group is not None:
        _matching(
            "resourceGroupName",
            resource_group,
            _RESOURCE_GROUP,
            "must be 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'",
        )
    account = _matching(
        "storageAccountName",
        read.string("storageAccountName"),
        _STORAGE_NAME,
        "must be 3-24 characters, lower-case letters and digits only (Azure storage rules)",
    )
    sku = _one_of("storageSku", read.string("storageSku"), STORAGE_SKUS)
    default_action = _one_of(
        "storageDefaultAction", read.string("storageDefaultAction"), DEFAULT_ACTIONS
    )
    ips = read.strings("storageAllowedIps")
    for ip in ips:
        try:
            network = ipaddress.ip_network(ip, strict=False)
        except ValueError:
            raise ConfigError(
                "storageAllowedIps", f"{ip!r} is not an IPv4 address or range"
            ) from None
        if network.version != 4 or network.is_private:
            raise ConfigError("storageAllowedIps", f"{ip!r} must be a public IPv4 address or range")
    subnets = read.strings("storageAllowedSubnetIds")
    for subnet in subnets:
        _matching("storageAllowedSubnetIds", subnet, _SUBNET_ID, "must be a subnet resource id")

    uc_rule = "must start with a lower-case letter; lower-case letters, digits and '_' only"
    catalog = _matching("catalogName", read.string("catalogName"), _UC_NAME, uc_rule)
    schema = _matching("schemaName", read.string("schemaName"), _UC_NAME, uc_rule)
    raw_schema = _matching(
        "rawSchemaName", read.raw("rawSchemaName") or f"{schema}_raw", _UC_NAME, uc_rule
    )
    if raw_schema == schema:
        raise ConfigError("rawSchemaName", f"must differ from schemaName ({schema!r})")

    group_rule = "must be a Databricks group name (letters, digits, space, '.', '_', '@', '-')"
    admins = _matching("adminsGroup", read.string("adminsGroup"), _GROUP_NAME, group_rule)
    engineers = _matching("engineersGroup", read.string("engineersGroup"), _GROUP_NAME, group_rule)
    if admins == engineers:
        raise ConfigError("engineersGroup", "must differ from adminsGroup")

    run_as = read.raw("pipelineRunAs")
    if run_as is not None:
        _matching("pipelineRunAs", run_as, _GUID, "must be a service principal's application id")

    scope = _matching(
        "secretScope",
        read.raw("secretScope") or f"clickstream-{stack}",
        _SCOPE_NAME,
        "must be 1-128 letters, digits, '_', '-' or '.'",
    )
    pii_key: pulumi.Output[str] | None = None
    if read.raw("piiHashKey") is not None:
        if not _is_secret(f"{PROJECT}:piiHashKey"):
            raise ConfigError(
                "piiHashKey", "must be stored as a secret (pulumi config set --secret piiHashKey)"
            )
        if len(read.raw("piiHashKey") or "") < 32:
            raise ConfigError("piiHashKey", "must be at least 32 characters")
        pii_key = pulumi.Config(PROJECT).require_secret("piiHashKey")

    folder = _matching(
        "workspaceFolder",
        (read.raw("workspaceFolder") or f"/Shared/clickstream-lakeflow/{stack}").rstrip("/"),
        _WORKSPACE_FOLDER,
        "must be an absolute workspace path under /Shared or /Users",
    )
    if ".." in folder.split("/"):
        raise ConfigError("workspaceFolder", "must not contain '..'")

    trigger = _one_of("trigger", read.string("trigger"), TRIGGERS)
    cron = read.raw("scheduleCron")
    if trigger == "schedule":
        if cron is None:
            raise ConfigError("scheduleCron", "is required when trigger is 'schedule'")
        fields = cron.split()
        if len(fields) not in (6, 7):
            raise ConfigError(
                "scheduleCron",
                f"must be a Quartz cron expression (6 or 7 fields, seconds first); got {cron!r}",
            )
    timezone = read.string("scheduleTimezone")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except Exception:  # noqa: BLE001 - any failure means the name is not a known zone
        raise ConfigError(
            "scheduleTimezone", f"is not a time zone name; got {timezone!r}"
        ) from None

    emails = read.strings("notificationEmails")
    for email in emails:
        _matching("notificationEmails", email, _EMAIL, "must hold e-mail addresses")

    host = _from_config_or_env(HOST_KEY, HOST_ENV)
    if host is None:
        raise ConfigError(HOST_KEY, f"is not set and {HOST_ENV} is empty: the workspace URL")
    _matching(HOST_KEY, host, _HOST, "must be the workspace URL, https://<host>")
    subscription = _from_config_or_env(SUBSCRIPTION_KEY, SUBSCRIPTION_ENV)
    if subscription is None:
        raise ConfigError(SUBSCRIPTION_KEY, f"is not set and {SUBSCRIPTION_ENV} is empty")
    _matching(SUBSCRIPTION_KEY, subscription, _GUID, "must be a subscription id (a GUID)")

    # --- Dashboards (infra/dashboard.py) ---
    warehouse = read.raw("sqlWarehouseId")
    if warehouse is not None:
        _matching("sqlWarehouseId", warehouse, _WAREHOUSE_ID, "must be a SQL warehouse id (16 hex)")

    return StackConfig(
        stack=stack,
        location=location,
        resource_group_name=resource_group,
        storage_account_name=account,
        storage_sku=sku,
        storage_default_action=default_action,
        storage_allowed_ips=ips,
        storage_allowed_subnet_ids=subnets,
        catalog_name=catalog,
        schema_name=schema,
        raw_schema_name=raw_schema,
        admins_group=admins,
        engineers_group=engineers,
        pipeline_run_as=run_as,
        secret_scope=scope,
        pii_hash_key=pii_key,
        workspace_folder=folder,
        development=read.boolean("development"),
        protect=read.boolean("protect"),
        trigger=trigger,
        schedule_cron=cron if trigger == "schedule" else None,
        schedule_timezone=timezone,
        notification_emails=emails,
        databricks_host=host.rstrip("/"),
        subscription_id=subscription,
        sql_warehouse_id=warehouse,
    )
