"""MaintenanceJobs component: the erasure job (on demand), the raw-data retention job (daily), and
the ``erasure_requests`` table the erasure job works from.

Both jobs run on serverless compute (a task ``environment_key`` and no cluster: "Run your Lakeflow
Jobs with serverless compute") as the pipeline's run-as service principal, from the
``jobs/maintenance.py`` file uploaded beside the pipeline code (``infra/pipeline.py``), which puts
that folder on ``sys.path`` and imports ``clickstream.maintenance_main``.

Erasure: ``clickstream-cloud forget`` inserts a request into ``erasure_requests`` and starts the
job with the job parameter ``request_id``. Tasks: ``erase`` (hash, expand, DELETE), then, side by
side, ``landing`` (rewrite the landing files that held the person's lines, with the landing path)
and, for a triggered pipeline, ``refresh`` (a pipeline update, so the materialized views recompute
without the person; a continuous pipeline refreshes them by itself), then ``purge`` (REORG ...
APPLY (PURGE), VACUUM) once both succeeded. Retention: one ``retain`` task on ``RETENTION_CRON``
(clickstream.retention).

Permissions as on the refresh job: the deploy principal is IS_OWNER, admins CAN_MANAGE (they
start erasures); nobody else, since a run's output can quote raw rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_databricks as databricks

from clickstream.contract import ERASURE_REQUESTS
from infra.acl import job_controls
from infra.grants import REQUESTS_TABLE_PRIVILEGES

# Clear identifiers live here only until the erase task replaces them with their hashes.
REQUESTS_COLUMNS = (
    ("request_id", "STRING", "Id the CLI gave the request (the job parameter request_id)"),
    ("requested_at", "TIMESTAMP", "When the request was recorded"),
    (
        "status",
        "STRING",
        "requested, erasing, erased, landing rewritten (or landing failed), done",
    ),
    ("user_ids", "ARRAY<STRING>", "Clear user ids, emptied by the erase task"),
    ("anonymous_ids", "ARRAY<STRING>", "Clear anonymous ids, emptied by the erase task"),
    ("emails", "ARRAY<STRING>", "Clear emails, emptied by the erase task"),
    ("subject", "STRING", "JSON: the person's HMAC-SHA-256 keys and email hashes"),
    ("erased", "STRING", "JSON: rows deleted per table"),
    (
        "landing_files",
        "STRING",
        "JSON: landing files that held the person's lines; after the landing task, per file: "
        "result (rewritten, unchanged, missing, failed), lines removed, reason of a failure",
    ),
)
ENTRY_FILE = "jobs/maintenance.py"
ENVIRONMENT_KEY = "maintenance"
ENVIRONMENT_VERSION = "3"  # serverless environment version (Python 3.12, Spark Connect)
# Daily at 03:30 in the stack's schedule time zone, outside the hourly refresh's busy minutes.
RETENTION_CRON = "0 30 3 * * ?"
REQUEST_ID_PARAMETER = "request_id"


@dataclass(frozen=True)
class MaintenanceArgs:
    stack: str
    code_folder: pulumi.Input[str]  # the uploaded pipeline folder (workspace path, no /Workspace)
    uploads: Sequence[pulumi.Resource]  # the uploaded files: the entry file must exist first
    pipeline_id: pulumi.Input[str]
    refresh_pipeline: bool  # a triggered pipeline: the erasure job runs an update itself
    catalog_name: pulumi.Input[str]
    landing_path: pulumi.Input[str]  # abfss:// URL of the landing folder (the landing task)
    schema_name: pulumi.Input[str]
    raw_schema_name: pulumi.Input[str]
    pii_key_scope: pulumi.Input[str]
    pii_key_name: pulumi.Input[str]
    warehouse_id: pulumi.Input[str]  # creates the requests table
    raw_retention_days: int
    timezone: str
    run_as: str
    owner: str  # application id of the deploy principal
    admins_group: str
    notification_emails: Sequence[str] = ()


def _python_task(
    key: str, args: MaintenanceArgs, step: str, parameters: Sequence[pulumi.Input[str]], after=()
) -> databricks.JobTaskArgs:
    return databricks.JobTaskArgs(
        task_key=key,
        environment_key=ENVIRONMENT_KEY,
        depends_ons=[databricks.JobTaskDependsOnArgs(task_key=k) for k in after] or None,
        spark_python_task=databricks.JobTaskSparkPythonTaskArgs(
            python_file=pulumi.Output.concat("/Workspace", args.code_folder, "/", ENTRY_FILE),
            parameters=[
                "--root",
                pulumi.Output.concat("/Workspace", args.code_folder),
                step,
                *parameters,
            ],
        ),
    )


def erasure_tasks(args: MaintenanceArgs) -> list[databricks.JobTaskArgs]:
    """erase -> landing [and refresh] -> purge, each with the request id from the job parameter."""
    request = [
        "--request-id",
        f"{{{{job.parameters.{REQUEST_ID_PARAMETER}}}}}",
        "--catalog",
        args.catalog_name,
        "--schema",
        args.schema_name,
        "--raw-schema",
        args.raw_schema_name,
        "--key-scope",
        args.pii_key_scope,
        "--key-name",
        args.pii_key_name,
    ]
    tasks = [
        _python_task("erase", args, "erase", request),
        _python_task(
            "landing", args, "landing", [*request, "--landing-path", args.landing_path], ["erase"]
        ),
    ]
    before_purge = ["landing"]
    if args.refresh_pipeline:
        tasks.append(
            databricks.JobTaskArgs(
                task_key="refresh",
                depends_ons=[databricks.JobTaskDependsOnArgs(task_key="erase")],
                pipeline_task=databricks.JobTaskPipelineTaskArgs(pipeline_id=args.pipeline_id),
            )
        )
        before_purge.append("refresh")
    tasks.append(_python_task("purge", args, "purge", request, after=before_purge))
    return tasks


def _job(resource_name: str, args: MaintenanceArgs, **job: Any) -> databricks.Job:
    """A serverless job run as the run-as principal, one run at a time, failures mailed."""
    notifications = None
    if args.notification_emails:
        notifications = databricks.JobEmailNotificationsArgs(
            on_failures=list(args.notification_emails)
        )
    return databricks.Job(
        resource_name,
        max_concurrent_runs=1,
        environments=[
            databricks.JobEnvironmentArgs(
                environment_key=ENVIRONMENT_KEY,
                spec=databricks.JobEnvironmentSpecArgs(environment_version=ENVIRONMENT_VERSION),
            )
        ],
        email_notifications=notifications,
        # Setting this needs servicePrincipal.user on the principal (RunAsIdentity).
        run_as=databricks.JobRunAsArgs(service_principal_name=args.run_as),
        **job,
    )


class MaintenanceJobs(pulumi.ComponentResource):
    """The requests table, its grant, the erasure job and the retention job."""

    erasure_job_id: pulumi.Output[str]
    retention_job_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: MaintenanceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("clickstream:infra:MaintenanceJobs", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        table = databricks.SqlTable(
            f"{name}-requests",
            name=ERASURE_REQUESTS,
            catalog_name=args.catalog_name,
            schema_name=args.raw_schema_name,
            table_type="MANAGED",
            owner=args.admins_group,
            warehouse_id=args.warehouse_id,
            comment="Erasure requests (raw zone): clear identifiers only until erased.",
            columns=[
                databricks.SqlTableColumnArgs(name=n, type=t, comment=c)
                for n, t, c in REQUESTS_COLUMNS
            ],
            opts=child,
        )
        databricks.Grants(
            f"{name}-requests-grants",
            table=table.id,
            grants=[
                databricks.GrantsGrantArgs(
                    principal=args.run_as, privileges=list(REQUESTS_TABLE_PRIVILEGES)
                )
            ],
            opts=child,
        )
        erasure = _job(
            f"{name}-erasure",
            args,
            name=f"clickstream-{args.stack}-erasure",
            parameters=[databricks.JobParameterArgs(name=REQUEST_ID_PARAMETER, default="")],
            tasks=erasure_tasks(args),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.uploads)),
        )
        retention = _job(
            f"{name}-retention",
            args,
            name=f"clickstream-{args.stack}-retention",
            tasks=[
                _python_task(
                    "retain",
                    args,
                    "retain",
                    [
                        "--catalog",
                        args.catalog_name,
                        "--raw-schema",
                        args.raw_schema_name,
                        "--days",
                        str(args.raw_retention_days),
                    ],
                )
            ],
            schedule=databricks.JobScheduleArgs(
                quartz_cron_expression=RETENTION_CRON,
                timezone_id=args.timezone,
                pause_status="UNPAUSED",
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.uploads)),
        )
        for job, label in ((erasure, "erasure"), (retention, "retention")):
            databricks.Permissions(
                f"{name}-{label}-permissions",
                job_id=job.id,
                access_controls=job_controls(args.owner, args.admins_group),
                opts=child,
            )
        self.erasure_job_id = erasure.id
        self.retention_job_id = retention.id
        self.register_outputs(
            {"erasure_job_id": self.erasure_job_id, "retention_job_id": self.retention_job_id}
        )
