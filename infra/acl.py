"""Rows of ``databricks.Permissions``: the owner and managers named from configuration.

``databricks.Permissions`` is authoritative, and the provider fills in what a list leaves out
with the identity that applies it: an ``IS_OWNER`` row on objects that have an owner
(``addOwnerPermissionIfNeeded``), ``CAN_MANAGE`` on some others. On read it hides only the reading
identity's own row. So every list here names the deploy principal itself, and a refresh by any
other identity finds in state exactly the rows the API reports (docs/platform-notes.md,
"Explicit owners").
"""

from __future__ import annotations

import pulumi_databricks as databricks


def owner(application_id: str) -> databricks.PermissionsAccessControlArgs:
    """IS_OWNER for a service principal: jobs, pipelines and SQL warehouses have exactly one."""
    return databricks.PermissionsAccessControlArgs(
        service_principal_name=application_id, permission_level="IS_OWNER"
    )


def manager(application_id: str) -> databricks.PermissionsAccessControlArgs:
    """CAN_MANAGE for a service principal: folders and dashboards, which have no IS_OWNER."""
    return databricks.PermissionsAccessControlArgs(
        service_principal_name=application_id, permission_level="CAN_MANAGE"
    )


def job_controls(owner_id: str, admins_group: str) -> list[databricks.PermissionsAccessControlArgs]:
    """A job's rows: the deploy principal owns it, the admins group manages it."""
    return [
        owner(owner_id),
        databricks.PermissionsAccessControlArgs(
            group_name=admins_group, permission_level="CAN_MANAGE"
        ),
    ]
