"""``build()``: declares every component of one stack and returns the stack outputs.

A function rather than module-level code, so that tests and the offline preview can run the
program many times in one process under Pulumi's mocks.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_databricks as databricks

from clickstream_cli.dashboard_definition import serialized_dashboard
from infra.catalog import UnityCatalog
from infra.config import StackConfig
from infra.dashboard import AiBiDashboard, DashboardArgs
from infra.grants import ENGINEERS, PIPELINE, CatalogGrants
from infra.pipeline import PIPELINE_DIR, LakeflowPipeline, source_files
from infra.storage import DataLake

NAME = "clickstream"


def build(cfg: StackConfig, pipeline_dir: Path = PIPELINE_DIR) -> dict[str, pulumi.Output]:
    """Declare the stack's resources; return the stack outputs by their exported names."""
    lake = DataLake(f"{NAME}-lake", cfg)
    uc = UnityCatalog(f"{NAME}-uc", cfg, lake)

    if cfg.pipeline_run_as is not None:
        run_as: pulumi.Input[str] = cfg.pipeline_run_as
    else:
        # Without a run-as principal the pipeline runs as whoever deploys it.
        run_as = databricks.get_current_user_output().user_name

    grants = CatalogGrants(
        f"{NAME}-grants",
        securables={
            "catalog": uc.catalog_name,
            "schema": uc.schema_full_name,
            "raw_schema": uc.raw_schema_full_name,
            "landing_location": uc.landing_location.name,
        },
        principals={ENGINEERS: cfg.engineers_group, PIPELINE: run_as},
    )
    lakeflow = LakeflowPipeline(
        f"{NAME}-lakeflow",
        cfg,
        lake,
        uc,
        files=source_files(pipeline_dir),
        depends_on=[grants],
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
    if lakeflow.job_id is not None:
        outputs["job_id"] = lakeflow.job_id

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
            admins_group=cfg.admins_group,
            engineers_group=cfg.engineers_group,
            warehouse_id=cfg.sql_warehouse_id,
        ),
    )
    outputs["dashboard_url"] = dashboard.dashboard_url
    outputs["dashboard_id"] = dashboard.dashboard_id
    outputs["sql_warehouse_id"] = dashboard.warehouse_id
    return outputs
