"""ServerlessNetwork component: the account-level NCC that lets serverless compute reach ADLS.

A storage firewall that denies by default blocks serverless compute, which runs in Databricks'
own network. A network connectivity configuration (NCC) gives the workspace's serverless compute
stable Azure subnets; the workspace stack adds them to the storage account's virtual-network rules
(``storageAllowedSubnetIds``). This is the NCC's "stable subnets" option (docs: "Configure a
firewall for serverless compute access"; the provider's ``azure_service_endpoint_rule``;
terraform-databricks-examples ``modules/adb-data-storage-vnet-ncc-public-endpoint``). It needs no
approval on the storage side, unlike a private endpoint rule, so nothing in the account stack
refers to the storage account and the account stack can be applied first. It requires the
storage account to be in the NCC's (the workspace's) region. See docs/platform-notes.md.

NCCs and bindings are account objects: the component's resources take the account-level
provider from the caller (``opts.providers``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks

# The target service Azure storage is listed under in the NCC's default service-endpoint rule.
STORAGE_SERVICE = "AZURE_BLOB_STORAGE"


@dataclass(frozen=True)
class NetworkArgs:
    """What the NCC needs: the stack (for its name), the region and the workspace to bind."""

    stack: str
    region: str
    workspace_id: str


def storage_subnets(egress: object) -> list[str]:
    """The stable subnets of an NCC's egress config that serve Azure storage, de-duplicated."""
    rule = getattr(getattr(egress, "default_rules", None), "azure_service_endpoint_rule", None)
    if rule is None or not rule.subnets:
        return []
    services = rule.target_services or [STORAGE_SERVICE]
    return sorted(set(rule.subnets)) if STORAGE_SERVICE in services else []


class ServerlessNetwork(pulumi.ComponentResource):
    """An NCC for the stack's region, bound to the workspace.

    ``ncc_id`` and ``subnet_ids`` are read through the binding, so whoever takes them (the stack
    outputs the workspace stack is configured from) waits until the workspace is bound.
    """

    ncc_id: pulumi.Output[str]
    subnet_ids: pulumi.Output[list[str]]

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("clickstream:account:ServerlessNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.ncc = databricks.MwsNetworkConnectivityConfig(
            f"{name}-ncc",
            # 3-30 characters of [0-9a-zA-Z-_]; one NCC per stack and region.
            name=f"ncc-clickstream-{args.stack}"[:30],
            region=args.region,
            # Deleting the binding does not unbind (see below) and a workspace's NCC can be
            # switched but not removed (Account API, workspaces update): `destroy` must not
            # delete an NCC a workspace still uses. docs/deploy.md says how to retire it.
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        # A workspace has one NCC: binding this one replaces any earlier binding
        # (docs/resources/mws_ncc_binding.md). Its create waits for the workspace update to
        # finish; its delete is a no-op (mws/resource_mws_ncc_binding.go): see docs/deploy.md.
        self.binding = databricks.MwsNccBinding(
            f"{name}-ncc-binding",
            network_connectivity_config_id=self.ncc.network_connectivity_config_id,
            workspace_id=args.workspace_id,
            opts=child,
        )
        self.ncc_id = self.binding.network_connectivity_config_id
        subnets = self.ncc.egress_config.apply(storage_subnets)
        self.subnet_ids = pulumi.Output.all(self.binding.id, subnets).apply(lambda bound: bound[1])
        self.register_outputs({"ncc_id": self.ncc_id, "subnet_ids": self.subnet_ids})
