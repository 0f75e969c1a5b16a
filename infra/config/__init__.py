"""Stack configuration: every ``pulumi.Config`` read happens here, once, before any resource.

``load()`` returns a frozen ``StackConfig`` (one frozen section per concern: storage, network,
catalog, access, pipeline) or raises ``ConfigError`` naming the key and what is wrong with it.
Every key is declared once, with its type, description and default, in ``Pulumi.yaml``; ``KEYS``
is read from there.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from infra.config.keys import (
    CREDENTIAL_KEYS,
    HOST,
    HOST_ENV,
    HOST_KEY,
    KEYS,
    PROJECT,
    SUBSCRIPTION_ENV,
    SUBSCRIPTION_KEY,
)
from infra.config.reader import (
    ConfigError,
    Reader,
    check_unknown_keys,
    from_config_or_env,
    guid,
    matching,
)
from infra.config.sections import (
    AccessSettings,
    CatalogSettings,
    DashboardSettings,
    NetworkSettings,
    PipelineSettings,
    StorageSettings,
    load_access,
    load_catalog,
    load_dashboard,
    load_network,
    load_pipeline,
    load_storage,
)

__all__ = [
    "CREDENTIAL_KEYS",
    "HOST_ENV",
    "HOST_KEY",
    "KEYS",
    "PROJECT",
    "SUBSCRIPTION_ENV",
    "SUBSCRIPTION_KEY",
    "AccessSettings",
    "CatalogSettings",
    "DashboardSettings",
    "ConfigError",
    "NetworkSettings",
    "PipelineSettings",
    "StackConfig",
    "StorageSettings",
    "load",
]


@dataclass(frozen=True)
class StackConfig:
    """Everything the program needs to know about one stack, validated."""

    stack: str
    protect: bool
    storage: StorageSettings
    network: NetworkSettings
    catalog: CatalogSettings
    access: AccessSettings
    pipeline: PipelineSettings
    dashboard: DashboardSettings
    databricks_host: str
    subscription_id: str

    @property
    def new_resource_group_name(self) -> str:
        return f"rg-clickstream-{self.stack}"


def _providers() -> tuple[str, str]:
    host = from_config_or_env(HOST_KEY, HOST_ENV)
    if host is None:
        raise ConfigError(HOST_KEY, f"is not set and {HOST_ENV} is empty: the workspace URL")
    matching(HOST_KEY, host, HOST, "must be the workspace URL, https://<host>")
    subscription = from_config_or_env(SUBSCRIPTION_KEY, SUBSCRIPTION_ENV)
    if subscription is None:
        raise ConfigError(SUBSCRIPTION_KEY, f"is not set and {SUBSCRIPTION_ENV} is empty")
    return host.rstrip("/"), guid(SUBSCRIPTION_KEY, subscription, "the Azure subscription id")


def _check_across_sections(storage: StorageSettings, network: NetworkSettings) -> None:
    # Serverless compute reaches a firewalled account only through an NCC (docs/platform-notes.md).
    if storage.default_action == "Deny":
        if network.mode == "none":
            raise ConfigError(
                "serverlessNetwork",
                "is 'none' while storageDefaultAction is 'Deny': serverless pipelines could not "
                "reach the storage account; use 'ncc' (or storageDefaultAction Allow)",
            )
        if network.mode == "ncc" and not storage.allowed_subnet_ids:
            raise ConfigError(
                "storageAllowedSubnetIds",
                "must list the NCC's stable subnets when storageDefaultAction is 'Deny': the "
                "storage_subnet_ids output of the account stack",
            )


def load() -> StackConfig:
    """Read and validate the stack's configuration; raise ConfigError on the first problem."""
    check_unknown_keys()
    read = Reader()
    stack = pulumi.get_stack()
    storage = load_storage(read)
    catalog = load_catalog(read, stack)
    access = load_access(read)
    pipeline = load_pipeline(read)
    dashboard = load_dashboard(read)
    protect = read.boolean("protect")
    host, subscription = _providers()
    network = load_network(read)
    _check_across_sections(storage, network)
    return StackConfig(
        stack=stack,
        protect=protect,
        storage=storage,
        network=network,
        catalog=catalog,
        access=access,
        pipeline=pipeline,
        dashboard=dashboard,
        databricks_host=host,
        subscription_id=subscription,
    )
