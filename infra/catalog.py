"""UnityCatalog component: storage credential, external locations, catalog, schemas, secret.

The catalog is ISOLATED (bound to this workspace) and keeps its managed tables in the lake's
``catalog`` container; the admins group owns the catalog, both schemas and the locations. The
PII hashing key lives in a Databricks-backed secret scope; the pipeline configuration names the
scope and the key, and the pipeline reads the value with ``dbutils.secrets.get``, so the key never
appears in pipeline settings.

Unity Catalog validates the storage credential when an external location is created
(``skip_validation`` is left off on purpose), so the credential, the locations and the catalog's
storage root wait for ``access_ready``: the lake's wait for its role assignment to propagate.
Without ``protect`` (dev) the catalog and schemas are ``force_destroy``: ``pulumi destroy`` drops
them with their tables; protected stacks (prod) keep the provider's refusal to drop a non-empty one.

With ``protect`` (prod) everything here is protected: the credential and locations (identity and
paths the catalog depends on), the catalog and schemas (data), the secret scope, the generated PII
key and its ``Secret``. Replacing the key re-hashes every person, so a config change that would
replace it (``piiHashKey``, ``secretScope``: ``string_value`` and ``scope`` force a new secret)
fails on the protection instead; the generated key also ignores changes to its own inputs, so a
provider or code change of its length or alphabet never draws a new one. Rotation is therefore a
deliberate procedure (docs/platform-notes.md, "The PII key").
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks
import pulumi_random as random

PII_SECRET_KEY = "pii-hash-key"
PII_KEY_LENGTH = 64
# Every input of random.RandomPassword: a change to any of them (in code, or a provider default)
# would draw a new key; ignored, the key stays what it was first generated as.
PII_KEY_INPUTS = [
    "keepers",
    "length",
    "lower",
    "minLower",
    "minNumeric",
    "minSpecial",
    "minUpper",
    "number",
    "numeric",
    "overrideSpecial",
    "special",
    "upper",
]


@dataclass(frozen=True)
class CatalogArgs:
    """What the catalog needs from config and from the lake."""

    stack: str
    catalog_name: str
    schema_name: str
    raw_schema_name: str
    admins_group: str
    protect: bool
    secret_scope: str
    pii_hash_key: pulumi.Input[str] | None  # None: generate one
    pipeline_run_as: str | None  # gets READ on the secret scope
    connector_id: pulumi.Input[str]
    landing_url: pulumi.Input[str]
    catalog_url: pulumi.Input[str]
    access_ready: pulumi.Resource  # the connector's role assignment has propagated
    # Managed file events on the landing location: the Azure resource group and subscription in
    # which Databricks sets up the queue (Auto Loader reads new files from it, not by listing).
    file_events_resource_group: pulumi.Input[str]
    subscription_id: str


class UnityCatalog(pulumi.ComponentResource):
    """The stack's catalog, its two schemas and what they need to reach ADLS."""

    catalog_name: pulumi.Output[str]
    schema_name: pulumi.Output[str]
    raw_schema_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: CatalogArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("clickstream:infra:UnityCatalog", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        protected = pulumi.ResourceOptions(parent=self, protect=args.protect)
        after_rbac = pulumi.ResourceOptions(
            parent=self, depends_on=[args.access_ready], protect=args.protect
        )
        force_destroy = not args.protect
        prefix = f"clickstream-{args.stack}"

        self.credential = databricks.StorageCredential(
            f"{name}-credential",
            name=prefix,
            azure_managed_identity=databricks.StorageCredentialAzureManagedIdentityArgs(
                access_connector_id=args.connector_id
            ),
            owner=args.admins_group,
            comment="Access connector identity of the clickstream data lake",
            # The role assignment must have propagated before UC validates the credential.
            opts=after_rbac,
        )
        self.landing_location = databricks.ExternalLocation(
            f"{name}-landing-location",
            name=f"{prefix}-landing",
            url=args.landing_url,
            credential_name=self.credential.name,
            owner=args.admins_group,
            comment="Raw clickstream files as they land",
            enable_file_events=True,
            file_event_queue=databricks.ExternalLocationFileEventQueueArgs(
                managed_aqs=databricks.ExternalLocationFileEventQueueManagedAqsArgs(
                    resource_group=args.file_events_resource_group,
                    subscription_id=args.subscription_id,
                )
            ),
            opts=after_rbac,
        )
        self.catalog_location = databricks.ExternalLocation(
            f"{name}-catalog-location",
            name=f"{prefix}-catalog",
            url=args.catalog_url,
            credential_name=self.credential.name,
            owner=args.admins_group,
            comment="Managed storage root of the clickstream catalog",
            opts=after_rbac,
        )
        self.catalog = databricks.Catalog(
            f"{name}-catalog",
            name=args.catalog_name,
            storage_root=self.catalog_location.url,
            isolation_mode="ISOLATED",
            owner=args.admins_group,
            comment="Clickstream lakehouse",
            force_destroy=force_destroy,
            opts=protected,
        )
        self.schema = databricks.Schema(
            f"{name}-schema",
            catalog_name=self.catalog.name,
            name=args.schema_name,
            owner=args.admins_group,
            comment="Published Silver and Gold tables: no clear-text PII",
            force_destroy=force_destroy,
            opts=protected,
        )
        self.raw_schema = databricks.Schema(
            f"{name}-raw-schema",
            catalog_name=self.catalog.name,
            name=args.raw_schema_name,
            owner=args.admins_group,
            comment="Restricted: Bronze and the quarantine, raw events with PII",
            force_destroy=force_destroy,
            opts=protected,
        )

        self.secret_scope = databricks.SecretScope(
            f"{name}-secret-scope", name=args.secret_scope, opts=protected
        )
        if args.pii_hash_key is not None:
            key_value: pulumi.Input[str] = args.pii_hash_key
        else:
            generated = random.RandomPassword(
                f"{name}-pii-hash-key",
                length=PII_KEY_LENGTH,
                special=False,
                opts=pulumi.ResourceOptions(
                    parent=self, protect=args.protect, ignore_changes=PII_KEY_INPUTS
                ),
            )
            key_value = generated.result
        self.pii_secret = databricks.Secret(
            f"{name}-pii-hash-key-secret",
            scope=self.secret_scope.name,
            key=PII_SECRET_KEY,
            string_value=key_value,
            opts=protected,
        )
        # What must exist before the pipeline runs: a pipeline update reads the key at start.
        self.secret_readers: list[pulumi.Resource] = [self.pii_secret]
        if args.pipeline_run_as is not None:
            # A run-as service principal is not the scope's creator, so it needs READ.
            self.secret_readers.append(
                databricks.SecretAcl(
                    f"{name}-secret-scope-pipeline-read",
                    scope=self.secret_scope.name,
                    principal=args.pipeline_run_as,
                    permission="READ",
                    opts=child,
                )
            )

        self.catalog_name = self.catalog.name
        self.schema_name = self.schema.name
        self.raw_schema_name = self.raw_schema.name
        self.schema_full_name = pulumi.Output.concat(self.catalog.name, ".", self.schema.name)
        self.raw_schema_full_name = pulumi.Output.concat(
            self.catalog.name, ".", self.raw_schema.name
        )
        # Where the pipeline finds the PII key: outputs of the Secret itself, never rebuilt.
        self.pii_key_scope = self.pii_secret.scope
        self.pii_key_name = self.pii_secret.key
        # `{{secrets/<scope>/<key>}}` as the provider computes it, for Spark conf or env vars.
        self.pii_key_reference = self.pii_secret.config_reference
        self.register_outputs(
            {
                "catalog_name": self.catalog_name,
                "schema_name": self.schema_name,
                "raw_schema_name": self.raw_schema_name,
            }
        )
