"""What terraform-provider-databricks does with a ``databricks_permissions`` list, as the tests
need it: the rows it writes when one identity applies, and the rows a refresh by another
identity reads back. A port of the provider's own logic (databricks/terraform-provider-databricks,
``permissions/permission_definitions.go`` and ``permissions/resource_permissions.go``, read at
v1.128): nothing here is a guess about the provider, only about the workspace's ACL in between
(``api_holds``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Row = tuple[str, str]  # (principal, permission level)

# object argument -> (IS_OWNER allowed, update customizers add the applier as CAN_MANAGE)
OBJECTS = {
    "pipelineId": (True, False),
    "jobId": (True, False),
    "sqlEndpointId": (True, True),  # update.AddCurrentUserAsManage
    "directoryPath": (False, False),
    "dashboardId": (False, False),
}


def rows(access_controls: Iterable[Mapping[str, Any]]) -> set[Row]:
    return {
        (
            c.get("servicePrincipalName") or c.get("userName") or c["groupName"],
            c["permissionLevel"],
        )
        for c in access_controls
    }


def applied(argument: str, configured: set[Row], applier: str) -> set[Row]:
    """The list the provider PUTs when ``applier`` runs ``pulumi up`` (``Update``)."""
    owner_allowed, add_manager = OBJECTS[argument]
    written = set(configured)
    if add_manager and applier not in {p for p, _ in written}:
        written.add((applier, "CAN_MANAGE"))  # update.AddCurrentUserAsManage
    if owner_allowed and not any(level == "IS_OWNER" for _, level in written):
        written.add((applier, "IS_OWNER"))  # addOwnerPermissionIfNeeded(objectACL, currentUser)
    return written


def api_holds(argument: str, written: set[Row], creator: str) -> set[Row]:
    """The object's direct ACL afterwards. Assumed, not read from a workspace: the PUT list, and
    for folders and dashboards (no IS_OWNER) also the creator's own CAN_MANAGE."""
    owner_allowed, _ = OBJECTS[argument]
    return set(written) if owner_allowed else written | {(creator, "CAN_MANAGE")}


def read(held: set[Row], configured: set[Row], reader: str) -> set[Row]:
    """What a refresh by ``reader`` puts in state (``prepareResponse``): every direct row except
    the reader's own, unless the configuration names the reader."""
    named = {p.lower() for p, _ in configured}
    return {(p, level) for p, level in held if p.lower() != reader.lower() or reader in named}


def refresh_by(argument: str, configured: set[Row], applier: str, reader: str) -> set[Row]:
    held = api_holds(argument, applied(argument, configured, applier), creator=applier)
    return read(held, configured, reader)
