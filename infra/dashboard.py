"""AiBiDashboard component: the AI/BI (Lakeview) dashboard of ``dashboards/``, its SQL warehouse,
and who may see them.

- The dashboard is ``databricks.Dashboard`` with the serialized definition that
  :mod:`dashboards.lakeview` builds from ``dashboards/``; its queries use unqualified
  table names and ``dataset_catalog``/``dataset_schema`` point them at this stack's published
  schema. ``embed_credentials=False``: every viewer's queries run with the viewer's own grants,
  so nobody sees more through the dashboard than Unity Catalog lets them read.
- The warehouse is a serverless SQL warehouse (PRO, the smallest size, auto-stop) created here,
  unless ``DashboardArgs.warehouse_id`` names an existing one; an existing warehouse's permissions
  stay with its owner (an authoritative ``Permissions`` here would drop everyone else's).
- Permissions: engineers CAN_READ the dashboard (the AI/BI "Can View" level: view, interact,
  refresh) and CAN_USE the warehouse (needed to run queries as themselves); admins CAN_MANAGE both.
  The deploy principal is named too: IS_OWNER of the warehouse it creates, CAN_MANAGE of the
  dashboard, so a refresh by another identity finds in state every row the API reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks

from infra.acl import manager, owner

WAREHOUSE_SIZE = "2X-Small"
AUTO_STOP_MINUTES = 10  # the Warehouses API allows 0 (never) or 10 minutes and more
ENGINEERS_DASHBOARD_LEVEL = "CAN_READ"
ENGINEERS_WAREHOUSE_LEVEL = "CAN_USE"
ADMINS_LEVEL = "CAN_MANAGE"


@dataclass(frozen=True)
class DashboardArgs:
    """What the dashboard component needs: names, where it lives, who sees it."""

    stack: str
    host: str  # workspace URL, for the dashboard_url output
    serialized_dashboard: str
    parent_path: pulumi.Input[str]  # workspace folder the dashboard is saved in
    catalog: pulumi.Input[str]
    schema: pulumi.Input[str]  # the published schema: the only one the dashboard reads
    deploy_principal: str  # application id of the service principal that runs `pulumi up`
    admins_group: str
    engineers_group: str
    warehouse_id: str | None = None  # an existing SQL warehouse; None creates one
    auto_stop_mins: int = AUTO_STOP_MINUTES


def _access(
    deployer: databricks.PermissionsAccessControlArgs, engineers_level: str, args: DashboardArgs
) -> list[databricks.PermissionsAccessControlArgs]:
    return [
        deployer,
        databricks.PermissionsAccessControlArgs(
            group_name=args.engineers_group, permission_level=engineers_level
        ),
        databricks.PermissionsAccessControlArgs(
            group_name=args.admins_group, permission_level=ADMINS_LEVEL
        ),
    ]


class AiBiDashboard(pulumi.ComponentResource):
    """The stack's AI/BI dashboard, its SQL warehouse and their permissions."""

    dashboard_id: pulumi.Output[str]
    dashboard_url: pulumi.Output[str]
    warehouse_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("clickstream:infra:AiBiDashboard", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        if args.warehouse_id is None:
            warehouse = databricks.SqlEndpoint(
                f"{name}-warehouse",
                name=f"clickstream-{args.stack}-dashboards",
                cluster_size=WAREHOUSE_SIZE,
                enable_serverless_compute=True,
                warehouse_type="PRO",  # serverless SQL warehouses are PRO
                auto_stop_mins=args.auto_stop_mins,
                min_num_clusters=1,
                max_num_clusters=1,
                opts=child,
            )
            warehouse_id: pulumi.Output[str] = warehouse.id
            databricks.Permissions(
                f"{name}-warehouse-permissions",
                sql_endpoint_id=warehouse.id,
                access_controls=_access(
                    owner(args.deploy_principal), ENGINEERS_WAREHOUSE_LEVEL, args
                ),
                opts=child,
            )
        else:
            warehouse_id = pulumi.Output.from_input(args.warehouse_id)

        dashboard = databricks.Dashboard(
            f"{name}-dashboard",
            display_name=f"Clickstream ({args.stack})",
            parent_path=args.parent_path,
            warehouse_id=warehouse_id,
            serialized_dashboard=args.serialized_dashboard,
            dataset_catalog=args.catalog,
            dataset_schema=args.schema,
            embed_credentials=False,
            opts=child,
        )
        databricks.Permissions(
            f"{name}-dashboard-permissions",
            dashboard_id=dashboard.id,
            access_controls=_access(
                manager(args.deploy_principal), ENGINEERS_DASHBOARD_LEVEL, args
            ),
            opts=child,
        )

        self.dashboard_id = dashboard.id
        self.dashboard_url = pulumi.Output.concat(
            args.host.rstrip("/"), "/dashboardsv3/", dashboard.id, "/published"
        )
        self.warehouse_id = warehouse_id
        self.register_outputs(
            {
                "dashboard_id": self.dashboard_id,
                "dashboard_url": self.dashboard_url,
                "warehouse_id": self.warehouse_id,
            }
        )
