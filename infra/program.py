"""``build()``: declares every component of one stack and returns the stack outputs.

A function rather than module-level code, so that tests and the offline preview can run the
program many times in one process under Pulumi's mocks. Each component takes a small frozen args
object: what it needs from the config and from the components built before it. A new component
(a dashboard, a SQL warehouse) is one more ``Args`` + constructor call here, and its outputs join
the dictionary at the end.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from dashboards.lakeview import serialized_dashboard
from infra.catalog import CatalogArgs, UnityCatalog
from infra.config import StackConfig
from infra.dashboard import AiBiDashboard, DashboardArgs
from infra.grants import ENGINEERS, PIPELINE, CatalogGrants, GrantsArgs
from infra.maintenance import MaintenanceArgs, MaintenanceJobs
from infra.pipeline import PIPELINE_DIR, LakeflowPipeline, PipelineArgs, source_files
from infra.retention import LandingRetention, RetentionArgs
from infra.schedule import RefreshSchedule, ScheduleArgs, performance_target
from infra.storage import DataLake, DataLakeArgs

NAME = "clickstream"


def build(cfg: StackConfig, pipeline_dir: Path = PIPELINE_DIR) -> dict[str, pulumi.Output]:
    """Declare the stack's resources; return the stack outputs by their exported names."""
    storage, net, access, settings = cfg.storage, cfg.network, cfg.access, cfg.pipeline

    # The NCC, its binding and the run-as principal's rule set are account objects: the account
    # stack (infra/account) creates them before this stack; its outputs arrive as configuration.
    lake = DataLake(
        f"{NAME}-lake",
        DataLakeArgs(
            stack=cfg.stack,
            location=storage.location,
            resource_group_name=storage.resource_group_name,
            new_resource_group_name=cfg.new_resource_group_name,
            account_name=storage.account_name,
            sku=storage.sku,
            subscription_id=cfg.subscription_id,
            protect=cfg.protect,
            default_action=storage.default_action,
            allowed_ips=storage.allowed_ips,
            allowed_subnet_ids=storage.allowed_subnet_ids,
        ),
    )

    LandingRetention(
        f"{NAME}-retention",
        RetentionArgs(
            account_name=lake.account_name,
            resource_group_name=lake.resource_group_name,
            landing_container=lake.containers["landing"].name,
            days=storage.raw_retention_days,
        ),
    )

    uc = UnityCatalog(
        f"{NAME}-uc",
        CatalogArgs(
            stack=cfg.stack,
            catalog_name=cfg.catalog.catalog_name,
            schema_name=cfg.catalog.schema_name,
            raw_schema_name=cfg.catalog.raw_schema_name,
            admins_group=access.admins_group,
            protect=cfg.protect,
            secret_scope=cfg.catalog.secret_scope,
            pii_hash_key=cfg.catalog.pii_hash_key,
            pipeline_run_as=access.pipeline_run_as,
            connector_id=lake.connector_id,
            landing_url=lake.landing_url,
            catalog_url=lake.catalog_url,
            access_ready=lake.access_ready,
            file_events_resource_group=lake.resource_group_name,
            subscription_id=cfg.subscription_id,
        ),
    )

    grants = CatalogGrants(
        f"{NAME}-grants",
        GrantsArgs(
            securables={
                "catalog": uc.catalog_name,
                "schema": uc.schema_full_name,
                "raw_schema": uc.raw_schema_full_name,
                "landing_location": uc.landing_location.name,
            },
            principals={ENGINEERS: access.engineers_group, PIPELINE: access.pipeline_run_as},
        ),
    )

    before_pipeline: list[pulumi.Resource] = [grants, *uc.secret_readers]
    lakeflow = LakeflowPipeline(
        f"{NAME}-lakeflow",
        PipelineArgs(
            stack=cfg.stack,
            files=source_files(pipeline_dir),
            workspace_folder=settings.workspace_folder,
            catalog_name=uc.catalog_name,
            schema_name=uc.schema_name,
            raw_schema_name=uc.raw_schema_name,
            landing_path=lake.landing_path,
            pii_key_scope=uc.pii_key_scope,
            pii_key_name=uc.pii_key_name,
            development=settings.development,
            continuous=not settings.scheduled,
            notification_emails=settings.notification_emails,
            run_as=access.pipeline_run_as,
            deploy_principal=access.deploy_principal,
            admins_group=access.admins_group,
            engineers_group=access.engineers_group,
            depends_on=before_pipeline,
        ),
    )

    outputs: dict[str, pulumi.Output] = {
        "pipeline_id": lakeflow.pipeline_id,
        "pipeline_url": lakeflow.pipeline_url,
        "catalog_name": uc.catalog_name,
        "schema_name": uc.schema_name,
        "raw_schema_name": uc.raw_schema_name,
        "landing_url": lake.landing_path,
        "storage_account_name": lake.account_name,
        "workspace_folder": lakeflow.workspace_folder,
    }
    if net.ncc_id is not None:
        outputs["ncc_id"] = pulumi.Output.from_input(net.ncc_id)

    if settings.scheduled and settings.schedule_cron is not None:
        schedule = RefreshSchedule(
            f"{NAME}-schedule",
            ScheduleArgs(
                stack=cfg.stack,
                pipeline_id=lakeflow.pipeline_id,
                cron=settings.schedule_cron,
                timezone=settings.schedule_timezone,
                run_as=access.pipeline_run_as,
                owner=access.deploy_principal,
                admins_group=access.admins_group,
                notification_emails=settings.notification_emails,
                former_parent_name=f"{NAME}-lakeflow",
                performance_target=performance_target(settings.development),
            ),
        )
        outputs["job_id"] = schedule.job_id

    # --- Dashboards: the AI/BI dashboard of dashboards/ over the published schema ---
    dashboard = AiBiDashboard(
        f"{NAME}-aibi",
        DashboardArgs(
            stack=cfg.stack,
            host=cfg.databricks_host,
            serialized_dashboard=serialized_dashboard(),
            parent_path=lakeflow.workspace_folder,
            catalog=uc.catalog_name,
            schema=uc.schema_name,
            deploy_principal=access.deploy_principal,
            admins_group=access.admins_group,
            engineers_group=access.engineers_group,
            warehouse_id=cfg.dashboard.sql_warehouse_id,
        ),
    )
    outputs["dashboard_url"] = dashboard.dashboard_url
    outputs["dashboard_id"] = dashboard.dashboard_id
    outputs["sql_warehouse_id"] = dashboard.warehouse_id

    # --- Erasure (clickstream-cloud forget) and raw-data retention jobs ---
    maintenance = MaintenanceJobs(
        f"{NAME}-maintenance",
        MaintenanceArgs(
            stack=cfg.stack,
            code_folder=lakeflow.workspace_folder,
            uploads=lakeflow.uploads,
            pipeline_id=lakeflow.pipeline_id,
            refresh_pipeline=settings.scheduled,
            catalog_name=uc.catalog_name,
            landing_path=lake.landing_path,
            schema_name=uc.schema_name,
            raw_schema_name=uc.raw_schema_name,
            pii_key_scope=uc.pii_key_scope,
            pii_key_name=uc.pii_key_name,
            warehouse_id=dashboard.warehouse_id,
            raw_retention_days=storage.raw_retention_days,
            timezone=settings.schedule_timezone,
            run_as=access.pipeline_run_as,
            owner=access.deploy_principal,
            admins_group=access.admins_group,
            notification_emails=settings.notification_emails,
        ),
    )
    outputs["erasure_job_id"] = maintenance.erasure_job_id
    outputs["retention_job_id"] = maintenance.retention_job_id
    return outputs
