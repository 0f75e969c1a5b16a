"""The PII hashing key: from the Databricks secret scope, or the local configuration.

On Databricks the key is read with ``dbutils.secrets.get(scope, key)``; scope and key name come
from the pipeline configuration (``clickstream.pii_key_scope``, ``clickstream.pii_key_name``) set
by the Pulumi stack. The pipeline refuses to start (:class:`PipelineConfigError` when the dataset
files are imported) if the secret cannot be read, still looks like an unresolved
``{{secrets/...}}`` reference, or is shorter than :data:`MIN_KEY_BYTES`: otherwise every hash
would be keyed with public or guessable text. No message ever contains the key.

Locally the key is ``clickstream.pii_key`` (``clickstream-local`` fills it from the
``CLICKSTREAM_PII_KEY`` environment variable) or the clearly marked development key.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from clickstream.runtime import PII_KEY_NAME_KEY, PII_KEY_SCOPE_KEY, PipelineConfigError, Runtime

# HMAC-SHA-256 keys should be at least the hash's output length (RFC 2104, section 3).
MIN_KEY_BYTES = 32
# A secret reference that was passed through as text instead of being resolved.
_UNRESOLVED = re.compile(r"\{\{\s*secrets/", re.IGNORECASE)

SecretReader = Callable[[str, str], str]


def read_databricks_secret(scope: str, key: str) -> str:
    """``dbutils.secrets.get`` of the Databricks runtime.

    ``databricks.sdk.runtime`` hands out the runtime's own ``dbutils`` on Databricks compute;
    elsewhere it builds a remote client that needs workspace credentials (and fails without), so
    it is imported only here, on Databricks.
    """
    from databricks.sdk.runtime import dbutils

    return dbutils.secrets.get(scope=scope, key=key)


def check_key(value: object, source: str) -> str:
    """``value`` if it can key the PII hashes; else PipelineConfigError naming ``source`` only."""
    if not isinstance(value, str) or not value:
        raise PipelineConfigError(f"the PII key from {source} is empty")
    if _UNRESOLVED.search(value):
        raise PipelineConfigError(
            f"the PII key from {source} looks like an unresolved secret reference: "
            "hashes would be keyed with public text"
        )
    if len(value.encode("utf-8")) < MIN_KEY_BYTES:
        raise PipelineConfigError(
            f"the PII key from {source} is shorter than {MIN_KEY_BYTES} bytes"
        )
    return value


def resolve(rt: Runtime, read_secret: SecretReader | None = None) -> str:
    """The key that HMACs this run's PII. ``read_secret`` replaces dbutils in tests."""
    if not rt.is_databricks:
        if rt.pii_key is None:
            raise PipelineConfigError(f"no PII key in the {rt.name} runtime")
        return rt.pii_key
    if rt.pii_key_scope is None or rt.pii_key_name is None:
        raise PipelineConfigError(f"{PII_KEY_SCOPE_KEY} and {PII_KEY_NAME_KEY} must both be set")
    source = (
        f"secret scope {rt.pii_key_scope!r}, key {rt.pii_key_name!r} "
        f"({PII_KEY_SCOPE_KEY}, {PII_KEY_NAME_KEY})"
    )
    reader = read_secret or read_databricks_secret
    try:
        value = reader(rt.pii_key_scope, rt.pii_key_name)
    except Exception as error:  # any failure to read means: do not start
        raise PipelineConfigError(
            f"cannot read the PII key from {source}: {type(error).__name__}"
        ) from None
    return check_key(value, source)
