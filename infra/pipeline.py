"""LakeflowPipeline component: uploads the pipeline code and declares the pipeline around it.

The files the pipeline needs (``transformations/`` and the ``clickstream`` package) are uploaded
as workspace files into a stack-scoped folder. Each upload carries its content (and its MD5), so
changing a file changes that resource's inputs and ``pulumi up`` re-uploads it. The folder is the
pipeline's ``root_path``, which puts it on ``sys.path`` so ``import clickstream`` works.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_databricks as databricks

from infra.catalog import UnityCatalog
from infra.config import StackConfig
from infra.storage import DataLake

PIPELINE_DIR = Path(__file__).resolve().parent.parent / "pipeline"
# (folder, patterns) the pipeline needs; everything else under pipeline/ stays local.
UPLOADED = (("transformations", ("*.py", "*.sql")), ("clickstream", ("*.py",)))
SKIPPED_PARTS = frozenset({"__pycache__", "tests"})
FAILURE_ALERTS = ("on-update-failure", "on-update-fatal-failure", "on-flow-failure")
EVENT_LOG_TABLE = "pipeline_event_log"


@dataclass(frozen=True)
class SourceFile:
    """One file to upload: its path relative to pipeline/ and its bytes."""

    relative: str
    content: bytes

    @property
    def md5(self) -> str:
        return hashlib.md5(self.content).hexdigest()

    @property
    def content_base64(self) -> str:
        return base64.b64encode(self.content).decode("ascii")


def source_files(pipeline_dir: Path = PIPELINE_DIR) -> list[SourceFile]:
    """The files to upload, sorted, skipping caches, tests and the local run spec."""
    found: dict[str, SourceFile] = {}
    for folder, patterns in UPLOADED:
        root = pipeline_dir / folder
        for pattern in patterns:
            for path in root.rglob(pattern):
                relative = path.relative_to(pipeline_dir)
                if not path.is_file() or SKIPPED_PARTS.intersection(relative.parts):
                    continue
                key = relative.as_posix()
                found[key] = SourceFile(key, path.read_bytes())
    return [found[key] for key in sorted(found)]


def code_version(files: Sequence[SourceFile]) -> str:
    """A short hash over every uploaded file: changes whenever any of them changes."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative.encode())
        digest.update(b"\0")
        digest.update(file.content)
    return digest.hexdigest()[:12]


class LakeflowPipeline(pulumi.ComponentResource):
    """The serverless Lakeflow pipeline, its code, its trigger and who may see it."""

    pipeline_id: pulumi.Output[str]
    pipeline_url: pulumi.Output[str]
    job_id: pulumi.Output[str] | None
    workspace_folder: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        lake: DataLake,
        uc: UnityCatalog,
        files: Sequence[SourceFile],
        depends_on: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("clickstream:infra:LakeflowPipeline", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        folder = databricks.Directory(
            f"{name}-folder", path=cfg.workspace_folder, delete_recursive=True, opts=child
        )
        uploads = [
            databricks.WorkspaceFile(
                f"{name}-file-{file.relative}",
                path=pulumi.Output.concat(folder.path, "/", file.relative),
                content_base64=file.content_base64,
                md5=file.md5,
                opts=child,
            )
            for file in files
        ]
        # Pipelines address workspace files through the /Workspace mount.
        root_path = pulumi.Output.concat("/Workspace", folder.path)

        notifications = None
        if cfg.notification_emails:
            notifications = [
                databricks.PipelineNotificationArgs(
                    email_recipients=list(cfg.notification_emails), alerts=list(FAILURE_ALERTS)
                )
            ]
        run_as_args = None
        if cfg.pipeline_run_as is not None:
            run_as_args = databricks.PipelineRunAsArgs(service_principal_name=cfg.pipeline_run_as)

        self.pipeline = databricks.Pipeline(
            f"{name}-pipeline",
            name=f"clickstream-{cfg.stack}",
            serverless=True,
            catalog=uc.catalog_name,
            schema=uc.schema_name,
            root_path=root_path,
            libraries=[
                databricks.PipelineLibraryArgs(
                    glob=databricks.PipelineLibraryGlobArgs(
                        include=pulumi.Output.concat(root_path, "/transformations/**")
                    )
                )
            ],
            configuration={
                "clickstream.runtime": "databricks",
                "clickstream.landing_path": lake.landing_path,
                "clickstream.raw_schema": uc.raw_schema_name,
                "clickstream.pii_key": uc.pii_key_reference,
                "spark.sql.session.timeZone": "UTC",
            },
            development=cfg.development,
            continuous=not cfg.scheduled,
            channel="CURRENT",
            notifications=notifications,
            # The event log goes to the restricted schema: its error messages can quote raw
            # (PII-bearing) Bronze records, which the published schema must never hold.
            event_log=databricks.PipelineEventLogArgs(
                name=EVENT_LOG_TABLE, catalog=uc.catalog_name, schema=uc.raw_schema_name
            ),
            run_as=run_as_args,
            tags={"code_version": code_version(files)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*uploads, *depends_on]),
        )

        access = [
            databricks.PermissionsAccessControlArgs(
                group_name=cfg.engineers_group, permission_level="CAN_VIEW"
            ),
            databricks.PermissionsAccessControlArgs(
                group_name=cfg.admins_group, permission_level="CAN_MANAGE"
            ),
        ]
        databricks.Permissions(
            f"{name}-pipeline-permissions",
            pipeline_id=self.pipeline.id,
            access_controls=access,
            opts=child,
        )

        self.job_id = None
        if cfg.scheduled:
            job = databricks.Job(
                f"{name}-schedule",
                name=f"clickstream-{cfg.stack}-refresh",
                tasks=[
                    databricks.JobTaskArgs(
                        task_key="refresh_pipeline",
                        pipeline_task=databricks.JobTaskPipelineTaskArgs(
                            pipeline_id=self.pipeline.id
                        ),
                    )
                ],
                schedule=databricks.JobScheduleArgs(
                    quartz_cron_expression=cfg.schedule_cron,
                    timezone_id=cfg.schedule_timezone,
                    pause_status="UNPAUSED",
                ),
                max_concurrent_runs=1,
                email_notifications=databricks.JobEmailNotificationsArgs(
                    on_failures=list(cfg.notification_emails)
                )
                if cfg.notification_emails
                else None,
                run_as=databricks.JobRunAsArgs(service_principal_name=cfg.pipeline_run_as)
                if cfg.pipeline_run_as is not None
                else None,
                opts=child,
            )
            databricks.Permissions(
                f"{name}-schedule-permissions",
                job_id=job.id,
                access_controls=access,
                opts=child,
            )
            self.job_id = job.id

        self.pipeline_id = self.pipeline.id
        self.pipeline_url = self.pipeline.url
        self.workspace_folder = folder.path
        outputs = {
            "pipeline_id": self.pipeline_id,
            "pipeline_url": self.pipeline_url,
            "workspace_folder": self.workspace_folder,
        }
        if self.job_id is not None:
            outputs["job_id"] = self.job_id
        self.register_outputs(outputs)
