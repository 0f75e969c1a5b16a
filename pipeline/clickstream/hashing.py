"""Keyed hashing of PII: HMAC-SHA-256 in Spark SQL, with no Python UDF.

HMAC(K, m) = SHA256((K' xor opad) || SHA256((K' xor ipad) || m)) (RFC 2104). The key is a constant
of the run, so the two padded keys are computed once in Python and enter the plan as binary
literals; Spark only runs ``sha2`` and ``concat``. The result equals Python's
``hmac.new(key, m, hashlib.sha256).hexdigest()``.
"""

from __future__ import annotations

import hashlib

from pyspark.sql import Column
from pyspark.sql import functions as F

_BLOCK_SIZE = 64  # SHA-256 block size in bytes
# Whitespace trimmed from values before hashing: `trim` alone removes spaces only, so a value with
# a trailing tab or newline would hash apart from the clean one (and a tab alone would hash).
_WHITESPACE = " \t\n\r\f\u000b"


def _padded_keys(key: str | bytes) -> tuple[bytes, bytes]:
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not raw:
        raise ValueError("the PII hashing key is empty")
    if len(raw) > _BLOCK_SIZE:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(_BLOCK_SIZE, b"\x00")
    inner = bytes(b ^ 0x36 for b in raw)
    outer = bytes(b ^ 0x5C for b in raw)
    return inner, outer


def hmac_sha256(value: Column, key: str | bytes) -> Column:
    """Hex HMAC-SHA-256 of a string column under ``key``; null stays null."""
    inner, outer = _padded_keys(key)
    inner_digest = F.unhex(F.sha2(F.concat(F.lit(inner), F.encode(value, "UTF-8")), 256))
    return F.sha2(F.concat(F.lit(outer), inner_digest), 256)


def normalise_email(email: Column) -> Column:
    """Trimmed, lower-cased email; blank becomes null so it never hashes to a shared value."""
    cleaned = F.lower(F.btrim(email, F.lit(_WHITESPACE)))
    return F.when(cleaned != "", cleaned)


def normalise_id(identifier: Column) -> Column:
    """Trimmed identifier; blank becomes null."""
    cleaned = F.btrim(identifier, F.lit(_WHITESPACE))
    return F.when(cleaned != "", cleaned)
