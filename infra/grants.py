"""The Unity Catalog access matrix, as data, and one authoritative ``databricks.Grants`` each.

    securable          admins (owner)   engineers               pipeline (run-as)
    catalog            owns it          USE_CATALOG             USE_CATALOG
    schema (published) owns it          USE_SCHEMA, SELECT      USE_SCHEMA, CREATE_TABLE,
                                                                CREATE_MATERIALIZED_VIEW,
                                                                SELECT, MODIFY
    raw_schema         owns it          -                       same as on the schema
    landing_location   owns it          -                       READ_FILES, WRITE_FILES

Owners hold every privilege implicitly, so admins need no rows. ``Grants`` is authoritative:
whatever is granted by hand on these securables is revoked on the next ``pulumi up``. The
pipeline writes streaming tables (CREATE TABLE) and materialized views (CREATE MATERIALIZED
VIEW) into both schemas and reads landing files through Auto Loader (READ_FILES); the erasure
job, as the same principal, rewrites the landing files that held an erased person's lines
(WRITE_FILES; its staging copies go beside the landing folder, in the same location). The tables a
pipeline publishes belong to the pipeline's owner (the deploy principal), so the maintenance jobs,
which run as the same principal outside the pipeline, need SELECT and MODIFY to DELETE erased and
expired rows; granted on the schemas because the tables only exist once the pipeline has run
(Unity Catalog privileges are inherited by the objects in a schema). ``erasure_requests`` is
granted apart (:data:`REQUESTS_TABLE_PRIVILEGES`, infra/maintenance.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_databricks as databricks

ADMINS = "admins"
ENGINEERS = "engineers"
PIPELINE = "pipeline"

PIPELINE_SCHEMA_PRIVILEGES = (
    "USE_SCHEMA",
    "CREATE_TABLE",
    "CREATE_MATERIALIZED_VIEW",
    # The erasure and retention jobs: DELETE, REORG ... APPLY (PURGE) and VACUUM.
    "SELECT",
    "MODIFY",
)
# Auto Loader reads; the erasure job's landing task overwrites a file without a person's lines.
LANDING_PRIVILEGES = ("READ_FILES", "WRITE_FILES")
# The run-as principal on the erasure requests table: read a request, record its progress.
REQUESTS_TABLE_PRIVILEGES = ("SELECT", "MODIFY")

ACCESS_MATRIX: dict[str, dict[str, tuple[str, ...]]] = {
    "catalog": {ENGINEERS: ("USE_CATALOG",), PIPELINE: ("USE_CATALOG",)},
    "schema": {ENGINEERS: ("USE_SCHEMA", "SELECT"), PIPELINE: PIPELINE_SCHEMA_PRIVILEGES},
    "raw_schema": {PIPELINE: PIPELINE_SCHEMA_PRIVILEGES},
    "landing_location": {PIPELINE: LANDING_PRIVILEGES},
}

# Which argument of databricks.Grants names each kind of securable.
SECURABLE_ARGUMENT = {
    "catalog": "catalog",
    "schema": "schema",
    "raw_schema": "schema",
    "landing_location": "external_location",
}


@dataclass(frozen=True)
class GrantsArgs:
    """The securables (by matrix key, as Outputs of the catalog) and the principal of each role.

    Principals are fixed names from config (a group, a service principal's application id),
    never the identity that happens to deploy.
    """

    securables: Mapping[str, pulumi.Input[str]]
    principals: Mapping[str, str]


class CatalogGrants(pulumi.ComponentResource):
    """Declares ``ACCESS_MATRIX``: one authoritative Grants resource per securable."""

    def __init__(
        self, name: str, args: GrantsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("clickstream:infra:CatalogGrants", name, None, opts)
        self.grants: dict[str, databricks.Grants] = {}
        for securable, rows in ACCESS_MATRIX.items():
            # catalog=..., schema=... or external_location=...: one keyword per kind of securable.
            target: dict[str, Any] = {SECURABLE_ARGUMENT[securable]: args.securables[securable]}
            self.grants[securable] = databricks.Grants(
                f"{name}-{securable.replace('_', '-')}",
                grants=[
                    databricks.GrantsGrantArgs(
                        principal=args.principals[role], privileges=list(privileges)
                    )
                    for role, privileges in rows.items()
                ],
                opts=pulumi.ResourceOptions(parent=self),
                **target,
            )
        self.register_outputs({})
