"""LakeflowPipeline component: uploads the pipeline code and declares the pipeline around it.

The files the pipeline needs (``transformations/`` and the ``clickstream`` package) are uploaded
as workspace files into a stack-scoped folder. Each upload carries its content (and its MD5), so
changing a file changes that resource's inputs and ``pulumi up`` re-uploads it. The folder is the
pipeline's ``root_path``, which puts it on ``sys.path`` so ``import clickstream`` works.

The folder lives in a home (by default the deploy principal's,
``/Users/<deployPrincipal>/.clickstream-lakeflow/<stack>``, where Databricks Asset Bundles deploy
too), never under ``/Shared``: there every workspace user has CAN MANAGE, and folder permissions
only add to inherited ones. The path comes from configuration, never from whoever runs Pulumi:
a preview by the read-only identity and the ``up`` by the deploy identity must plan the same
inputs. Its own Permissions give the deploy principal and admins CAN_MANAGE, the run-as principal
CAN_READ and engineers CAN_READ.

Objects with an owner name it: the deploy principal is the pipeline's ``IS_OWNER`` (the pipeline
still runs as ``run_as``). Without that row the provider writes whoever applies as owner and hides
only the reading identity's own row, so a refresh by another identity reports drift
(docs/platform-notes.md, "Explicit owners").

Engineers get no permission on the pipeline itself: its UI (CAN_VIEW) shows the event log, whose
error messages can quote raw records. They follow pipeline health through the published
``gold_quality_daily`` counts; failures are mailed to ``notificationEmails``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_databricks as databricks

from infra.acl import manager, owner

PIPELINE_DIR = Path(__file__).resolve().parent.parent / "pipeline"
# (folder, patterns) the pipeline needs; everything else under pipeline/ stays local.
UPLOADED = (
    ("transformations", ("*.py", "*.sql")),
    ("clickstream", ("*.py",)),
    ("jobs", ("*.py",)),  # the maintenance jobs' entry file (infra/maintenance.py)
)
SKIPPED_PARTS = frozenset({"__pycache__", "tests"})
FAILURE_ALERTS = ("on-update-failure", "on-update-fatal-failure", "on-flow-failure")
EVENT_LOG_TABLE = "pipeline_event_log"
CODE_FOLDER = ".clickstream-lakeflow"


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


@dataclass(frozen=True)
class PipelineArgs:
    """What the pipeline needs from config and from the catalog, lake and identity components."""

    stack: str
    files: Sequence[SourceFile]
    workspace_folder: str | None  # None: /Users/<deploy_principal>/.clickstream-lakeflow/<stack>
    catalog_name: pulumi.Input[str]
    schema_name: pulumi.Input[str]
    raw_schema_name: pulumi.Input[str]
    landing_path: pulumi.Input[str]
    pii_key_scope: pulumi.Input[str]
    pii_key_name: pulumi.Input[str]
    development: bool
    continuous: bool
    notification_emails: Sequence[str]
    run_as: str  # application id of the run-as service principal
    deploy_principal: str  # application id of the service principal that runs `pulumi up`
    admins_group: str
    engineers_group: str
    # Must exist before the pipeline: grants, the secret ACL, the run-as role, the network.
    depends_on: Sequence[pulumi.Resource] = ()


def code_folder(args: PipelineArgs) -> str:
    """The configured folder, else one in the deploy principal's home (a service principal's
    home is ``/Users/<application id>``)."""
    if args.workspace_folder is not None:
        return args.workspace_folder
    return f"/Users/{args.deploy_principal}/{CODE_FOLDER}/{args.stack}"


def folder_access(args: PipelineArgs) -> list[databricks.PermissionsAccessControlArgs]:
    return [
        manager(args.deploy_principal),
        databricks.PermissionsAccessControlArgs(
            group_name=args.admins_group, permission_level="CAN_MANAGE"
        ),
        databricks.PermissionsAccessControlArgs(
            service_principal_name=args.run_as, permission_level="CAN_READ"
        ),
        databricks.PermissionsAccessControlArgs(
            group_name=args.engineers_group, permission_level="CAN_READ"
        ),
    ]


def pipeline_access(args: PipelineArgs) -> list[databricks.PermissionsAccessControlArgs]:
    # CAN_RUN lets the run-as principal (the refresh job's identity) start updates
    # (docs: "Manage identities, permissions, and privileges for pipelines").
    return [
        owner(args.deploy_principal),
        databricks.PermissionsAccessControlArgs(
            group_name=args.admins_group, permission_level="CAN_MANAGE"
        ),
        databricks.PermissionsAccessControlArgs(
            service_principal_name=args.run_as, permission_level="CAN_RUN"
        ),
    ]


class LakeflowPipeline(pulumi.ComponentResource):
    """The serverless Lakeflow pipeline, its uploaded code and who may see either."""

    pipeline_id: pulumi.Output[str]
    pipeline_url: pulumi.Output[str]
    workspace_folder: pulumi.Output[str]

    def __init__(
        self, name: str, args: PipelineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("clickstream:infra:LakeflowPipeline", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        folder = databricks.Directory(
            f"{name}-folder", path=code_folder(args), delete_recursive=True, opts=child
        )
        folder_permissions = databricks.Permissions(
            f"{name}-folder-permissions",
            directory_path=folder.path,
            access_controls=folder_access(args),
            opts=child,
        )
        uploads = [
            databricks.WorkspaceFile(
                f"{name}-file-{file.relative}",
                path=pulumi.Output.concat(folder.path, "/", file.relative),
                content_base64=file.content_base64,
                md5=file.md5,
                opts=child,
            )
            for file in args.files
        ]
        # Pipelines address workspace files through the /Workspace mount.
        root_path = pulumi.Output.concat("/Workspace", folder.path)

        notifications = None
        if args.notification_emails:
            notifications = [
                databricks.PipelineNotificationArgs(
                    email_recipients=list(args.notification_emails), alerts=list(FAILURE_ALERTS)
                )
            ]

        self.pipeline = databricks.Pipeline(
            f"{name}-pipeline",
            name=f"clickstream-{args.stack}",
            serverless=True,
            catalog=args.catalog_name,
            schema=args.schema_name,
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
                "clickstream.landing_path": args.landing_path,
                "clickstream.raw_schema": args.raw_schema_name,
                # The pipeline reads the key with dbutils.secrets.get(scope, key).
                "clickstream.pii_key_scope": args.pii_key_scope,
                "clickstream.pii_key_name": args.pii_key_name,
                "spark.sql.session.timeZone": "UTC",
                # Gold's incremental views: fail loudly in dev when one cannot be refreshed
                # incrementally; in prod fall back to a full refresh (warned by the CLI), so a
                # cost-model rejection on a big day does not fail the hourly update.
                "clickstream.refresh_policy": (
                    "incremental_strict" if args.development else "incremental"
                ),
            },
            development=args.development,
            continuous=args.continuous,
            channel="CURRENT",
            notifications=notifications,
            # The event log goes to the restricted schema: its error messages can quote raw
            # (PII-bearing) Bronze records, which the published schema must never hold.
            event_log=databricks.PipelineEventLogArgs(
                name=EVENT_LOG_TABLE, catalog=args.catalog_name, schema=args.raw_schema_name
            ),
            # Setting this needs servicePrincipal.user on the principal (RunAsIdentity).
            run_as=databricks.PipelineRunAsArgs(service_principal_name=args.run_as),
            tags={"code_version": code_version(args.files)},
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[*uploads, folder_permissions, *args.depends_on]
            ),
        )
        databricks.Permissions(
            f"{name}-pipeline-permissions",
            pipeline_id=self.pipeline.id,
            access_controls=pipeline_access(args),
            opts=child,
        )

        self.uploads = uploads
        self.pipeline_id = self.pipeline.id
        self.pipeline_url = self.pipeline.url
        self.workspace_folder = folder.path
        self.register_outputs(
            {
                "pipeline_id": self.pipeline_id,
                "pipeline_url": self.pipeline_url,
                "workspace_folder": self.workspace_folder,
            }
        )
