"""One frozen dataclass and one small loader per section of the stack settings.

Each ``load_*`` reads only its own keys and raises ``ConfigError`` naming the first bad one; the
checks that span sections live in ``infra.config.load``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi

from infra.config import keys as k
from infra.config.reader import ConfigError, Reader, guid, is_secret, matching, one_of

_UC_RULE = "must start with a lower-case letter; lower-case letters, digits and '_' only"
_GROUP_RULE = "must be a Databricks group name (letters, digits, space, '.', '_', '@', '-')"


@dataclass(frozen=True)
class StorageSettings:
    location: str
    resource_group_name: str | None  # None: the stack creates its own resource group
    account_name: str
    sku: str
    default_action: str
    allowed_ips: tuple[str, ...]
    allowed_subnet_ids: tuple[str, ...]
    # Days raw landing files live before the lifecycle policy deletes them; the same limit
    # applies to the raw tables (pipeline/clickstream/retention.py).
    raw_retention_days: int


@dataclass(frozen=True)
class NetworkSettings:
    mode: str  # one of keys.SERVERLESS_NETWORKS
    ncc_id: str | None  # the account stack's NCC (its ncc_id output); None when mode is none


@dataclass(frozen=True)
class CatalogSettings:
    catalog_name: str
    schema_name: str
    raw_schema_name: str
    secret_scope: str
    pii_hash_key: pulumi.Output[str] | None  # None: generated with pulumi_random


@dataclass(frozen=True)
class AccessSettings:
    admins_group: str
    engineers_group: str
    pipeline_run_as: str  # application id of the service principal the pipeline runs as
    # Application id of the service principal that applies the stack (`pulumi up`): it owns the
    # job, the pipeline and the warehouse, and its home holds the code folder. A fixed name, so
    # the plan is the same whoever previews it.
    deploy_principal: str


@dataclass(frozen=True)
class PipelineSettings:
    workspace_folder: str | None  # None: /Users/<deployPrincipal>/.clickstream-lakeflow/<stack>
    development: bool
    trigger: str
    schedule_cron: str | None
    schedule_timezone: str
    notification_emails: tuple[str, ...]

    @property
    def scheduled(self) -> bool:
        return self.trigger == "schedule"


@dataclass(frozen=True)
class DashboardSettings:
    sql_warehouse_id: str | None  # an existing SQL warehouse; None: the stack creates one


def load_storage(read: Reader) -> StorageSettings:
    location = one_of("location", read.string("location").lower(), k.AZURE_REGIONS)
    group = read.raw("resourceGroupName")
    if group is not None:
        matching(
            "resourceGroupName",
            group,
            k.RESOURCE_GROUP,
            "must be 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'",
        )
    account = matching(
        "storageAccountName",
        read.string("storageAccountName"),
        k.STORAGE_NAME,
        "must be 3-24 characters, lower-case letters and digits only (Azure storage rules)",
    )
    sku = one_of("storageSku", read.string("storageSku"), k.STORAGE_SKUS)
    action = one_of("storageDefaultAction", read.string("storageDefaultAction"), k.DEFAULT_ACTIONS)
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
        matching("storageAllowedSubnetIds", subnet, k.SUBNET_ID, "must be a subnet resource id")
    days = read.positive_integer("rawRetentionDays")
    return StorageSettings(location, group, account, sku, action, ips, subnets, days)


def load_network(read: Reader) -> NetworkSettings:
    mode = one_of("serverlessNetwork", read.string("serverlessNetwork"), k.SERVERLESS_NETWORKS)
    ncc_id = read.raw("databricksNccId")
    if ncc_id is not None:
        matching("databricksNccId", ncc_id, k.GUID, "must be an NCC id (a GUID)")
    elif mode == "ncc":
        raise ConfigError(
            "databricksNccId",
            "is required when serverlessNetwork is 'ncc': the ncc_id output of the account "
            "stack (pulumi -C infra/account stack output ncc_id)",
        )
    return NetworkSettings(mode, ncc_id if mode == "ncc" else None)


def load_catalog(read: Reader, stack: str) -> CatalogSettings:
    catalog = matching("catalogName", read.string("catalogName"), k.UC_NAME, _UC_RULE)
    schema = matching("schemaName", read.string("schemaName"), k.UC_NAME, _UC_RULE)
    raw_schema = matching(
        "rawSchemaName", read.raw("rawSchemaName") or f"{schema}_raw", k.UC_NAME, _UC_RULE
    )
    if raw_schema == schema:
        raise ConfigError("rawSchemaName", f"must differ from schemaName ({schema!r})")
    scope = matching(
        "secretScope",
        read.raw("secretScope") or f"clickstream-{stack}",
        k.SCOPE_NAME,
        "must be 1-128 letters, digits, '_', '-' or '.'",
    )
    pii_key: pulumi.Output[str] | None = None
    if read.raw("piiHashKey") is not None:
        if not is_secret(f"{k.PROJECT}:piiHashKey"):
            raise ConfigError(
                "piiHashKey", "must be stored as a secret (pulumi config set --secret piiHashKey)"
            )
        if len(read.raw("piiHashKey") or "") < 32:
            raise ConfigError("piiHashKey", "must be at least 32 characters")
        pii_key = read.secret("piiHashKey")
    return CatalogSettings(catalog, schema, raw_schema, scope, pii_key)


def load_access(read: Reader) -> AccessSettings:
    admins = matching("adminsGroup", read.string("adminsGroup"), k.GROUP_NAME, _GROUP_RULE)
    engineers = matching("engineersGroup", read.string("engineersGroup"), k.GROUP_NAME, _GROUP_RULE)
    if admins == engineers:
        raise ConfigError("engineersGroup", "must differ from adminsGroup")
    # Required on every stack: grants, the secret ACL and the job follow this fixed principal,
    # never whoever happens to run `pulumi up`.
    run_as = guid(
        "pipelineRunAs",
        read.string("pipelineRunAs"),
        "the application id of the service principal the pipeline runs as",
    )
    deployer = guid(
        "deployPrincipal",
        read.string("deployPrincipal"),
        "the application id of the service principal that runs `pulumi up`",
    )
    if deployer == run_as:
        # The provider refuses to take management rights away from the identity that applies
        # permissions, and the run-as principal gets only CAN_READ/CAN_RUN (docs/platform-notes.md).
        raise ConfigError("deployPrincipal", "must differ from pipelineRunAs")
    return AccessSettings(admins, engineers, run_as, deployer)


def load_pipeline(read: Reader) -> PipelineSettings:
    folder = read.raw("workspaceFolder")
    if folder is not None:
        folder = folder.rstrip("/")
        if folder.split("/")[1:2] == ["Shared"] or folder.startswith("/Workspace/Shared"):
            raise ConfigError(
                "workspaceFolder",
                "must not be under /Shared: every workspace user has CAN MANAGE there",
            )
        matching(
            "workspaceFolder",
            folder,
            k.WORKSPACE_FOLDER,
            "must be a folder inside a home, /Users/<user or application id>/...",
        )
        if ".." in folder.split("/"):
            raise ConfigError("workspaceFolder", "must not contain '..'")

    trigger = one_of("trigger", read.string("trigger"), k.TRIGGERS)
    cron = read.raw("scheduleCron")
    if trigger == "schedule":
        if cron is None:
            raise ConfigError("scheduleCron", "is required when trigger is 'schedule'")
        if len(cron.split()) not in (6, 7):
            raise ConfigError(
                "scheduleCron",
                f"must be a Quartz cron expression (6 or 7 fields, seconds first); got {cron!r}",
            )
    timezone = read.string("scheduleTimezone")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except Exception:
        raise ConfigError(
            "scheduleTimezone", f"is not a time zone name; got {timezone!r}"
        ) from None
    emails = read.strings("notificationEmails")
    for email in emails:
        matching("notificationEmails", email, k.EMAIL, "must hold e-mail addresses")
    return PipelineSettings(
        workspace_folder=folder,
        development=read.boolean("development"),
        trigger=trigger,
        schedule_cron=cron if trigger == "schedule" else None,
        schedule_timezone=timezone,
        notification_emails=emails,
    )


def load_dashboard(read: Reader) -> DashboardSettings:
    warehouse = read.raw("sqlWarehouseId")
    if warehouse is not None:
        matching("sqlWarehouseId", warehouse, k.WAREHOUSE_ID, "must be a SQL warehouse id (16 hex)")
    return DashboardSettings(sql_warehouse_id=warehouse)
