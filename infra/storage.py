"""DataLake component: the ADLS Gen2 account, its containers and the Databricks access connector.

The account is private by default: the firewall denies everything except the access connector
(a resource-instance rule, which covers Unity Catalog's own access), trusted Azure services, and
the IP ranges / subnets in config: among them the stable subnets of the NCC the account stack
created (``infra/account/network.py``), which let serverless compute in. Public network access
stays "Enabled" only so that those firewall rules apply; with
``storageDefaultAction: Deny`` nothing else reaches the data. Shared keys are off, so every
caller authenticates with Entra ID.

Azure role assignments take minutes to reach the data plane ("Role assignment changes can take
up to 10 minutes", Azure RBAC troubleshooting docs), and Unity Catalog validates a credential when
an external location is created. ``access_ready`` is a ``time.Sleep`` after the connector's role
assignment: whatever reads the lake through the connector depends on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumiverse_time as time
from pulumi_azure_native import authorization, resources, storage
from pulumi_azure_native import databricks as azure_databricks

# Built-in role "Storage Blob Data Contributor".
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
# What the connector needs for Databricks-managed file events on the landing location (Azure
# Queue Storage fed by an Event Grid subscription, created by Databricks as the connector): the
# roles Databricks lists for Auto Loader file notifications on ADLS. See docs/platform-notes.md.
FILE_EVENTS_ROLES = {
    "queue-contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",  # Storage Queue Data Contributor
    "account-contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",  # Storage Account Contributor
}
# EventGrid EventSubscription Contributor, on the resource group (event subscriptions live there).
EVENTGRID_SUBSCRIPTION_CONTRIBUTOR = "428e0ff0-5e57-4d9c-a221-2c70d0e0a443"
CONTAINERS = ("landing", "catalog")
SOFT_DELETE_DAYS = 14
LANDING_FOLDER = "clickstream"
# Azure RBAC troubleshooting: role assignment changes can take up to 10 minutes to take effect.
RBAC_PROPAGATION = "10m"


@dataclass(frozen=True)
class DataLakeArgs:
    """What the lake needs: names and redundancy, the firewall, and the serverless subnets."""

    stack: str
    location: str
    resource_group_name: str | None  # None: create rg-clickstream-<stack>
    new_resource_group_name: str
    account_name: str
    sku: str
    subscription_id: str
    protect: bool
    default_action: str
    allowed_ips: Sequence[str] = ()
    allowed_subnet_ids: Sequence[str] = ()
    tags: dict[str, str] = field(default_factory=dict)


def _subnet_rules(listed: Sequence[str]) -> list[storage.VirtualNetworkRuleArgs]:
    ids = list(dict.fromkeys(listed))
    return [
        storage.VirtualNetworkRuleArgs(
            virtual_network_resource_id=subnet, action=storage.Action.ALLOW
        )
        for subnet in ids
    ]


class DataLake(pulumi.ComponentResource):
    """ADLS Gen2 storage for landing files and the catalog's managed tables."""

    account_name: pulumi.Output[str]
    connector_id: pulumi.Output[str]
    landing_url: pulumi.Output[str]
    catalog_url: pulumi.Output[str]
    landing_path: pulumi.Output[str]

    def __init__(
        self, name: str, args: DataLakeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("clickstream:infra:DataLake", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # prod: the data (account, containers, and the group holding them) and the connector,
        # whose managed identity the storage credential is: a new connector is a new identity.
        protected = pulumi.ResourceOptions(parent=self, protect=args.protect)
        tags = {"project": "clickstream-lakeflow", "stack": args.stack, **args.tags}

        if args.resource_group_name is None:
            group = resources.ResourceGroup(
                f"{name}-rg",
                resource_group_name=args.new_resource_group_name,
                location=args.location,
                tags=tags,
                opts=protected,
            )
            group_name: pulumi.Input[str] = group.name
        else:
            group_name = args.resource_group_name

        self.connector = azure_databricks.AccessConnector(
            f"{name}-connector",
            connector_name=f"ac-clickstream-{args.stack}",
            resource_group_name=group_name,
            location=args.location,
            identity=azure_databricks.ManagedServiceIdentityArgs(type="SystemAssigned"),
            tags=tags,
            opts=protected,
        )
        identity = self.connector.identity

        self.account = storage.StorageAccount(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=group_name,
            location=args.location,
            kind="StorageV2",
            sku=storage.SkuArgs(name=args.sku),
            is_hns_enabled=True,
            minimum_tls_version="TLS1_2",
            enable_https_traffic_only=True,
            allow_blob_public_access=False,
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            public_network_access="Enabled",
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction(args.default_action),
                bypass="AzureServices",
                ip_rules=[
                    storage.IPRuleArgs(i_p_address_or_range=ip, action=storage.Action.ALLOW)
                    for ip in args.allowed_ips
                ],
                # The configured subnets: the NCC's stable subnets (serverless compute) among them.
                virtual_network_rules=_subnet_rules(args.allowed_subnet_ids),
                resource_access_rules=[
                    storage.ResourceAccessRuleArgs(
                        resource_id=self.connector.id,
                        tenant_id=identity.apply(lambda i: i.tenant_id if i else None),
                    )
                ],
            ),
            tags=tags,
            opts=protected,
        )

        blob_service = storage.BlobServiceProperties(
            f"{name}-blob-service",
            account_name=self.account.name,
            resource_group_name=group_name,
            blob_services_name="default",
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=SOFT_DELETE_DAYS
            ),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=SOFT_DELETE_DAYS
            ),
            opts=child,
        )

        self.containers = {
            container: storage.BlobContainer(
                f"{name}-{container}",
                container_name=container,
                account_name=self.account.name,
                resource_group_name=group_name,
                public_access=storage.PublicAccess.NONE,
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[blob_service], protect=args.protect
                ),
            )
            for container in CONTAINERS
        }

        principal = identity.apply(lambda i: i.principal_id if i else None)
        self.role_assignment = authorization.RoleAssignment(
            f"{name}-connector-blob-contributor",
            principal_id=principal,
            principal_type="ServicePrincipal",
            role_definition_id=(
                f"/subscriptions/{args.subscription_id}/providers/"
                f"Microsoft.Authorization/roleDefinitions/{BLOB_DATA_CONTRIBUTOR}"
            ),
            scope=self.account.id,
            opts=child,
        )
        group_id = pulumi.Output.concat(
            "/subscriptions/", args.subscription_id, "/resourceGroups/", group_name
        )
        grants = [(key, role, self.account.id) for key, role in FILE_EVENTS_ROLES.items()]
        grants.append(
            ("eventgrid-subscription-contributor", EVENTGRID_SUBSCRIPTION_CONTRIBUTOR, group_id)
        )
        self.file_events_roles = [
            authorization.RoleAssignment(
                f"{name}-connector-{key}",
                principal_id=principal,
                principal_type="ServicePrincipal",
                role_definition_id=(
                    f"/subscriptions/{args.subscription_id}/providers/"
                    f"Microsoft.Authorization/roleDefinitions/{role}"
                ),
                scope=scope,
                opts=child,
            )
            for key, role, scope in grants
        ]
        assignments = [self.role_assignment, *self.file_events_roles]
        # Wait for the roles to propagate before anything validates the connector's access.
        # Replacing an assignment (a new id) waits again.
        self.access_ready = time.Sleep(
            f"{name}-rbac-propagation",
            create_duration=RBAC_PROPAGATION,
            triggers={
                "role_assignment": self.role_assignment.id,
                **{f"file_events_{i}": a.id for i, a in enumerate(self.file_events_roles)},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=assignments),
        )
        # Where Databricks creates the file-events queue's subscription (managed Azure queue).
        self.resource_group_name = pulumi.Output.from_input(group_name)

        self.account_name = self.account.name
        self.connector_id = self.connector.id
        self.landing_url = pulumi.Output.format(
            "abfss://{0}@{1}.dfs.core.windows.net/",
            self.containers["landing"].name,
            self.account.name,
        )
        self.catalog_url = pulumi.Output.format(
            "abfss://{0}@{1}.dfs.core.windows.net/",
            self.containers["catalog"].name,
            self.account.name,
        )
        # Where raw events land; the pipeline's Auto Loader reads this folder.
        self.landing_path = pulumi.Output.concat(self.landing_url, LANDING_FOLDER, "/")
        self.register_outputs(
            {
                "account_name": self.account_name,
                "landing_path": self.landing_path,
                "connector_id": self.connector_id,
                "landing_url": self.landing_url,
                "catalog_url": self.catalog_url,
            }
        )
