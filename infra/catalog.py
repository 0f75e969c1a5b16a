"""UnityCatalog component: storage credential, external locations, catalog, schemas, secret.

The catalog is ISOLATED (bound to this workspace) and keeps its managed tables in the lake's
``catalog`` container; the admins group owns the catalog, both schemas and the locations. The
PII hashing key lives in a Databricks-backed secret scope; the pipeline reads it through a
``{{secrets/<scope>/<key>}}`` reference, so the key never appears in pipeline settings.
"""

from __future__ import annotations

import pulumi
import pulumi_databricks as databricks
import pulumi_random as random

from infra.config import StackConfig
from infra.storage import DataLake

PII_SECRET_KEY = "pii-hash-key"


class UnityCatalog(pulumi.ComponentResource):
    """The stack's catalog, its two schemas and what they need to reach ADLS."""

    catalog_name: pulumi.Output[str]
    schema_name: pulumi.Output[str]
    raw_schema_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        lake: DataLake,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("clickstream:infra:UnityCatalog", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        protected = pulumi.ResourceOptions(parent=self, protect=cfg.protect)
        prefix = f"clickstream-{cfg.stack}"

        self.credential = databricks.StorageCredential(
            f"{name}-credential",
            name=prefix,
            azure_managed_identity=databricks.StorageCredentialAzureManagedIdentityArgs(
                access_connector_id=lake.connector_id
            ),
            owner=cfg.admins_group,
            comment="Access connector identity of the clickstream data lake",
            # The role assignment must exist before UC validates the credential.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[lake.role_assignment]),
        )
        self.landing_location = databricks.ExternalLocation(
            f"{name}-landing-location",
            name=f"{prefix}-landing",
            url=lake.landing_url,
            credential_name=self.credential.name,
            owner=cfg.admins_group,
            comment="Raw clickstream files as they land",
            opts=child,
        )
        self.catalog_location = databricks.ExternalLocation(
            f"{name}-catalog-location",
            name=f"{prefix}-catalog",
            url=lake.catalog_url,
            credential_name=self.credential.name,
            owner=cfg.admins_group,
            comment="Managed storage root of the clickstream catalog",
            opts=child,
        )
        self.catalog = databricks.Catalog(
            f"{name}-catalog",
            name=cfg.catalog_name,
            storage_root=self.catalog_location.url,
            isolation_mode="ISOLATED",
            owner=cfg.admins_group,
            comment="Clickstream lakehouse",
            opts=protected,
        )
        self.schema = databricks.Schema(
            f"{name}-schema",
            catalog_name=self.catalog.name,
            name=cfg.schema_name,
            owner=cfg.admins_group,
            comment="Published Silver and Gold tables: no clear-text PII",
            opts=protected,
        )
        self.raw_schema = databricks.Schema(
            f"{name}-raw-schema",
            catalog_name=self.catalog.name,
            name=cfg.raw_schema_name,
            owner=cfg.admins_group,
            comment="Restricted: Bronze and the quarantine, raw events with PII",
            opts=protected,
        )

        self.secret_scope = databricks.SecretScope(
            f"{name}-secret-scope", name=cfg.secret_scope, opts=child
        )
        if cfg.pii_hash_key is not None:
            key_value: pulumi.Input[str] = cfg.pii_hash_key
        else:
            generated = random.RandomPassword(
                f"{name}-pii-hash-key", length=64, special=False, opts=child
            )
            key_value = generated.result
        self.pii_secret = databricks.Secret(
            f"{name}-pii-hash-key-secret",
            scope=self.secret_scope.name,
            key=PII_SECRET_KEY,
            string_value=key_value,
            opts=child,
        )
        if cfg.pipeline_run_as is not None:
            # A run-as service principal is not the scope's creator, so it needs READ.
            databricks.SecretAcl(
                f"{name}-secret-scope-pipeline-read",
                scope=self.secret_scope.name,
                principal=cfg.pipeline_run_as,
                permission="READ",
                opts=child,
            )

        self.catalog_name = self.catalog.name
        self.schema_name = self.schema.name
        self.raw_schema_name = self.raw_schema.name
        self.schema_full_name = pulumi.Output.concat(self.catalog.name, ".", self.schema.name)
        self.raw_schema_full_name = pulumi.Output.concat(
            self.catalog.name, ".", self.raw_schema.name
        )
        self.pii_key_reference = pulumi.Output.format(
            "{{{{secrets/{0}/{1}}}}}", self.secret_scope.name, self.pii_secret.key
        )
        self.register_outputs(
            {
                "catalog_name": self.catalog_name,
                "schema_name": self.schema_name,
                "raw_schema_name": self.raw_schema_name,
            }
        )
