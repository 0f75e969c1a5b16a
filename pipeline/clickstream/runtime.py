"""Runtime adapter: the one place that knows whether the pipeline runs on Databricks or locally.

It reads the pipeline configuration (``clickstream.*`` keys) once and answers questions whose
answer differs between the platforms: is this Databricks, which schema a raw-zone table lives in,
``cluster_by_auto`` or explicit keys. It declares nothing and imports nothing of the pipelines API:
the transformation files declare the datasets and decide, from ``is_databricks``, how.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clickstream.contract import CLUSTER_BY, FULL_REFRESH_VIEWS

RUNTIME_KEY = "clickstream.runtime"
LANDING_PATH_KEY = "clickstream.landing_path"
PII_KEY_KEY = "clickstream.pii_key"  # local runs only
PII_KEY_SCOPE_KEY = "clickstream.pii_key_scope"  # Databricks: secret scope of the PII key
PII_KEY_NAME_KEY = "clickstream.pii_key_name"  # Databricks: secret key name within the scope
RAW_SCHEMA_KEY = "clickstream.raw_schema"
DEDUPE_HORIZON_KEY = "clickstream.dedupe_horizon"
REFRESH_POLICY_KEY = "clickstream.refresh_policy"  # Databricks: policy of incremental Gold views

LOCAL = "local"
DATABRICKS = "databricks"
RUNTIMES = (LOCAL, DATABRICKS)

# Marked as what it is: hashes made with it protect nothing. Local runs only.
DEVELOPMENT_PII_KEY = "DEVELOPMENT-KEY-NOT-SECRET-local-runs-only"
DEFAULT_DEDUPE_HORIZON = "3 days"
# Databricks' Python `refresh_policy` values (Beta; REFRESH POLICY clause): `incremental` refreshes
# incrementally when it can and fails a create whose query cannot be; `incremental_strict` also
# fails a refresh that cannot be incremental instead of quietly recomputing everything.
INCREMENTAL = "incremental"
INCREMENTAL_STRICT = "incremental_strict"
FULL = "full"
REFRESH_POLICIES = (INCREMENTAL, INCREMENTAL_STRICT)
# Source tables of incrementally refreshed materialized views need row tracking
# (MATERIALIZED_VIEW_NOT_INCREMENTALIZABLE: ROW_TRACKING_NOT_ENABLED).
ROW_TRACKING = {"delta.enableRowTracking": "true"}
_INTERVAL = re.compile(r"^[1-9][0-9]* (second|minute|hour|day|week)s?$")


class PipelineConfigError(ValueError):
    """The pipeline configuration is missing a key or holds a bad value."""


@dataclass(frozen=True)
class Runtime:
    """The pipeline's settings plus the answers that depend on the platform."""

    name: str
    landing_path: str
    # Local runs: the key itself (configured, else the development key). On Databricks None: the
    # key is read from the secret scope by ``clickstream.pii_key.resolve``.
    pii_key: str | None = None
    raw_schema: str | None = None
    dedupe_horizon: str = DEFAULT_DEDUPE_HORIZON
    pii_key_scope: str | None = None
    pii_key_name: str | None = None
    refresh_policy: str = INCREMENTAL

    @property
    def is_databricks(self) -> bool:
        return self.name == DATABRICKS

    def raw_table(self, table: str) -> str:
        """Name of a raw-zone table (Bronze, quarantine): in the restricted schema on Databricks."""
        if self.is_databricks and self.raw_schema:
            return f"{self.raw_schema}.{table}"
        return table

    def incremental_refresh(self) -> dict[str, Any]:
        """Refresh-policy argument of a view built to be refreshed incrementally.

        Open-source Spark has no ``refresh_policy`` (its materialized views always recompute).
        """
        return {"refresh_policy": self.refresh_policy} if self.is_databricks else {}

    def full_refresh(self) -> dict[str, Any]:
        """Refresh-policy argument of a view recomputed on purpose (it reads one row per day)."""
        return {"refresh_policy": FULL} if self.is_databricks else {}

    def incremental_source(self) -> dict[str, str]:
        """Table properties of a table that incrementally refreshed views read."""
        return dict(ROW_TRACKING) if self.is_databricks else {}

    def clustering(self, keys: Sequence[str]) -> dict[str, Any]:
        """Clustering arguments for a Gold table's decorator.

        Databricks: automatic liquid clustering, starting from ``keys`` ("cluster_by_auto ...
        can be combined with cluster_by to define the columns to use as the initial clustering
        keys", Python ``@table`` reference). Open-source Spark has no ``cluster_by_auto``
        (TypeError) and only stores ``cluster_by`` as a table property.
        """
        if self.is_databricks:
            return {"cluster_by_auto": True, "cluster_by": list(keys)}
        return {"cluster_by": list(keys)}

    def gold_view(self, table: str) -> dict[str, Any]:
        """The decorator arguments every Gold materialized view shares: its name, the ``quality``
        property, its refresh policy (full for ``FULL_REFRESH_VIEWS``, else incremental) and its
        clustering keys from ``CLUSTER_BY``."""
        refresh = self.full_refresh() if table in FULL_REFRESH_VIEWS else self.incremental_refresh()
        return {
            "name": table,
            "table_properties": {"quality": "gold"},
            **refresh,
            **self.clustering(CLUSTER_BY[table]),
        }


def from_conf(conf: Mapping[str, str | None]) -> Runtime:
    """Build the runtime from pipeline configuration (``spark.conf`` or a plain mapping)."""
    name = (conf.get(RUNTIME_KEY) or LOCAL).strip().lower()
    if name not in RUNTIMES:
        raise PipelineConfigError(
            f"{RUNTIME_KEY} must be one of {', '.join(RUNTIMES)}, got {name!r}"
        )
    landing = (conf.get(LANDING_PATH_KEY) or "").strip()
    if not landing:
        raise PipelineConfigError(f"{LANDING_PATH_KEY} is not set: the folder raw events land in")
    key = scope = key_name = None
    if name == DATABRICKS:
        # The key is read with dbutils.secrets.get (clickstream.pii_key): nothing proves that a
        # {{secrets/...}} reference in a non-spark.* configuration key is resolved on serverless.
        scope = (conf.get(PII_KEY_SCOPE_KEY) or "").strip()
        key_name = (conf.get(PII_KEY_NAME_KEY) or "").strip()
        for config_key, value in ((PII_KEY_SCOPE_KEY, scope), (PII_KEY_NAME_KEY, key_name)):
            if not value:
                raise PipelineConfigError(
                    f"{config_key} is not set: the secret scope and key name of the PII key"
                )
    else:
        key = conf.get(PII_KEY_KEY) or DEVELOPMENT_PII_KEY
    raw_schema = (conf.get(RAW_SCHEMA_KEY) or "").strip() or None
    if name == DATABRICKS and not raw_schema:
        # Without it Bronze and the quarantine (clear-text PII) would land in the published schema.
        raise PipelineConfigError(
            f"{RAW_SCHEMA_KEY} is not set: the restricted schema for Bronze and the quarantine"
        )
    horizon = (conf.get(DEDUPE_HORIZON_KEY) or DEFAULT_DEDUPE_HORIZON).strip().lower()
    if not _INTERVAL.match(horizon):
        raise PipelineConfigError(
            f"{DEDUPE_HORIZON_KEY} must look like '3 days' or '12 hours', got {horizon!r}"
        )
    policy = (conf.get(REFRESH_POLICY_KEY) or INCREMENTAL).strip().lower()
    if policy not in REFRESH_POLICIES:
        raise PipelineConfigError(
            f"{REFRESH_POLICY_KEY} must be one of {', '.join(REFRESH_POLICIES)}, got {policy!r}"
        )
    return Runtime(
        name=name,
        landing_path=landing,
        pii_key=key,
        raw_schema=raw_schema,
        dedupe_horizon=horizon,
        pii_key_scope=scope,
        pii_key_name=key_name,
        refresh_policy=policy,
    )


class _SparkConf(Mapping):
    """Read-only mapping view of ``spark.conf`` (missing keys read as None)."""

    def __init__(self, spark_conf: Any) -> None:
        self._conf = spark_conf

    def __getitem__(self, key: str) -> str | None:
        return self._conf.get(key, None)

    def get(self, key: str, default: Any = None) -> Any:
        value = self._conf.get(key, None)
        return default if value is None else value

    def __iter__(self):  # pragma: no cover - never iterated
        return iter(())

    def __len__(self) -> int:  # pragma: no cover
        return 0


def current(spark: Any) -> Runtime:
    """The runtime of the running pipeline, from its Spark configuration."""
    return from_conf(_SparkConf(spark.conf))
