"""Who applies each scope of the plan, and the least role that identity needs there.

The same rows, with the reasons, are the table of docs/identities.md; a test keeps the role text
of every row below word for word in that file. ``make preview`` prints them beside the resource
counts, so the person about to deploy sees which rights each part of the plan needs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScopeRights:
    """One scope of the plan: who applies it, with which role."""

    scope: str
    applied_by: str
    role: str


AZURE = ScopeRights(
    "Azure",
    "deploy identity of the stack (deploy-dev / deploy-prod)",
    "Contributor on the stack's resource group; Role Based Access Control Administrator on it, "
    "limited to assigning Storage Blob Data Contributor, Storage Queue Data Contributor, "
    "Storage Account Contributor and EventGrid EventSubscription Contributor (the access "
    "connector's roles)",
)
WORKSPACE = ScopeRights(
    "workspace",
    "deploy identity of the stack (deploy-dev / deploy-prod)",
    "workspace admin, member of adminsGroup; CREATE CATALOG, CREATE STORAGE CREDENTIAL and "
    "CREATE EXTERNAL LOCATION on the metastore",
)
ACCOUNT = ScopeRights(
    "account",
    "an account admin, once per workspace stack (infra/account)",
    "Databricks account admin",
)
SCOPES = (AZURE, WORKSPACE, ACCOUNT)
