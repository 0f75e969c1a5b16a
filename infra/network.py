"""ServerlessNetwork component: the account-level NCC that lets serverless compute reach ADLS.

A storage firewall that denies by default blocks serverless compute, which runs in Databricks'
own network. A network connectivity configuration (NCC) gives the workspace's serverless compute
stable Azure subnets; the DataLake adds them to the account's virtual-network rules. This is the
NCC's "stable subnets" option (docs: "Configure a firewall for serverless compute access"; the
provider's ``azure_service_endpoint_rule``; terraform-databricks-examples
``modules/adb-data-storage-vnet-ncc-public-endpoint``). It needs no approval on the storage side,
unlike a private endpoint rule, so one ``pulumi up`` completes it. It requires the storage account
to be in the NCC's (the workspace's) region. See docs/platform-notes.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks

# The target service Azure storage is listed under in the NCC's default service-endpoint rule.
STORAGE_SERVICE = "AZURE_BLOB_STORAGE"


@dataclass(frozen=True)
class NetworkArgs:
    """What the NCC needs: where the account console is, which account and workspace, the region."""

    stack: str
    region: str
    account_id: str
    accounts_host: str
    workspace_id: str


def storage_subnets(egress: object) -> list[str]:
    """The stable subnets of an NCC's egress config that serve Azure storage, de-duplicated."""
    rule = getattr(getattr(egress, "default_rules", None), "azure_service_endpoint_rule", None)
    if rule is None or not rule.subnets:
        return []
    services = rule.target_services or [STORAGE_SERVICE]
    return sorted(set(rule.subnets)) if STORAGE_SERVICE in services else []


class ServerlessNetwork(pulumi.ComponentResource):
    """An NCC for the stack's region, bound to the workspace; exposes its storage subnets."""

    ncc_id: pulumi.Output[str]
    subnet_ids: pulumi.Output[list[str]]

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("clickstream:infra:ServerlessNetwork", name, None, opts)
        # NCCs and their bindings are account objects: they need an account-level provider.
        self.account = databricks.Provider(
            f"{name}-account",
            host=args.accounts_host,
            account_id=args.account_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        on_account = pulumi.ResourceOptions(parent=self, provider=self.account)
        self.ncc = databricks.MwsNetworkConnectivityConfig(
            f"{name}-ncc",
            # 3-30 characters of [0-9a-zA-Z-_]; one NCC per stack and region.
            name=f"ncc-clickstream-{args.stack}"[:30],
            region=args.region,
            opts=on_account,
        )
        # A workspace has one NCC: binding this one replaces any earlier binding
        # (docs/resources/mws_ncc_binding.md). Stacks that share a workspace share one NCC.
        self.binding = databricks.MwsNccBinding(
            f"{name}-ncc-binding",
            network_connectivity_config_id=self.ncc.network_connectivity_config_id,
            workspace_id=args.workspace_id,
            opts=on_account,
        )
        self.ncc_id = self.ncc.network_connectivity_config_id
        self.subnet_ids = self.ncc.egress_config.apply(storage_subnets)
        self.register_outputs({"ncc_id": self.ncc_id, "subnet_ids": self.subnet_ids})
