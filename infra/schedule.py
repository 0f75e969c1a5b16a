"""RefreshSchedule component: the job that refreshes a triggered pipeline on a Quartz cron.

The job runs as the pipeline's run-as service principal, which holds CAN_RUN on the pipeline.
Its owner is named (``IS_OWNER``, the deploy principal), so a refresh by another identity sees
the row it wrote; besides the owner only admins get a permission on the job: a run's page shows
the pipeline's error messages, which can quote raw records (the same reason engineers have no
permission on the pipeline).

The job and its permissions were children of ``LakeflowPipeline`` before this component existed;
``aliases`` keep their URNs, so moving them here is not a replacement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks
from pulumi.resource import create_urn

from infra.acl import job_controls

FORMER_PARENT_TYPE = "clickstream:infra:LakeflowPipeline"


@dataclass(frozen=True)
class ScheduleArgs:
    """What the job needs: the pipeline, when to run it, as whom, and who is told on failure."""

    stack: str
    pipeline_id: pulumi.Input[str]
    cron: str
    timezone: str
    run_as: str
    owner: str  # application id of the deploy principal: the job's IS_OWNER
    admins_group: str
    notification_emails: Sequence[str] = ()
    former_parent_name: str | None = None  # the LakeflowPipeline that used to own the job
    performance_target: str = "PERFORMANCE_OPTIMIZED"  # serverless performance mode of the runs


# Serverless performance mode per stack ("Choose a performance mode for serverless jobs and
# pipelines"; Job `performance_target`, pulumi-databricks). Standard mode starts in 4-6 minutes
# and uses fewer DBUs: right for dev's daily run, which nobody waits on. Prod refreshes hourly
# and Gold must be fresh within that hour; performance-optimized starts in under a minute and
# scales faster, until representative prod runs show standard mode meets the hour.
def performance_target(development: bool) -> str:
    """``STANDARD`` for a development stack, ``PERFORMANCE_OPTIMIZED`` otherwise."""
    return "STANDARD" if development else "PERFORMANCE_OPTIMIZED"


class RefreshSchedule(pulumi.ComponentResource):
    """A job with one pipeline task on a cron, and its permissions."""

    job_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: ScheduleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("clickstream:infra:RefreshSchedule", name, None, opts)
        aliases: list[pulumi.Alias] = []
        if args.former_parent_name is not None:
            former = create_urn(args.former_parent_name, FORMER_PARENT_TYPE)
            aliases = [pulumi.Alias(parent=former)]
        child = pulumi.ResourceOptions(parent=self, aliases=aliases)
        job_name = args.former_parent_name or name
        job = databricks.Job(
            f"{job_name}-schedule",
            name=f"clickstream-{args.stack}-refresh",
            tasks=[
                databricks.JobTaskArgs(
                    task_key="refresh_pipeline",
                    pipeline_task=databricks.JobTaskPipelineTaskArgs(pipeline_id=args.pipeline_id),
                )
            ],
            schedule=databricks.JobScheduleArgs(
                quartz_cron_expression=args.cron,
                timezone_id=args.timezone,
                pause_status="UNPAUSED",
            ),
            max_concurrent_runs=1,
            performance_target=args.performance_target,
            email_notifications=databricks.JobEmailNotificationsArgs(
                on_failures=list(args.notification_emails)
            )
            if args.notification_emails
            else None,
            # Setting this needs servicePrincipal.user on the principal (RunAsIdentity).
            run_as=databricks.JobRunAsArgs(service_principal_name=args.run_as),
            opts=child,
        )
        databricks.Permissions(
            f"{job_name}-schedule-permissions",
            job_id=job.id,
            access_controls=job_controls(args.owner, args.admins_group),
            opts=child,
        )
        self.job_id = job.id
        self.register_outputs({"job_id": self.job_id})
