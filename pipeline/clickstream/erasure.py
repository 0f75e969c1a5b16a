"""Right to erasure: which rows of each layer belong to a person. Plain Spark, both platforms.

A person is named by clear identifiers (user ids, anonymous ids, emails). Everything here works
from their **pipeline hashes** (HMAC-SHA-256 under the PII key, :class:`Subject`), so an erasure
can be journalled, resumed and verified without keeping a clear identifier anywhere:

1. :func:`subject_of` hashes the given identifiers exactly as Silver does (same normalisation,
   same Spark HMAC).
2. :func:`expand` adds what the pipeline links to them, read from Silver: the users whose identify
   traits carried a given email; the emails of those users; the anonymous ids ``gold_sessions``
   stitches to them (:func:`clickstream.gold_sessions.resolve_identity`: the anonymous-only events
   whose identity resolves to one of the users); and, from raw rows of those users, the emails
   in their identify traits (quarantined identifies never reach Silver).
3. Raw rows (landing lines, Bronze, the quarantine) carry clear values: :func:`clear_values`
   finds the clear user ids, anonymous ids and emails whose hashes are the subject's, and
   :func:`raw_match` marks a raw row as theirs when its ``userId`` is one of their user ids; or it
   has no ``userId`` and its ``anonymousId`` (or, for a line that did not parse, any quoted
   string of it) is one of theirs; or any email-shaped text anywhere in it is one of their emails.
   A row with another person's ``userId`` stays: it is that person's event.
4. Silver and Gold carry hashes: :func:`silver_match`, :func:`sessions_match`,
   :func:`dim_users_match`. Silver also loses the events whose raw copy matched (by
   ``event_id``), so an email found only in a query string (which Silver strips) still takes the
   whole event with it and the row accounting keeps holding. The quality ledger loses the
   rows of those events too (:func:`ledger_match`, by ``event_id``): it keeps no person's data,
   but the counts must keep adding up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame, SparkSession

from clickstream.contract import (
    CORRUPT_LINE,
    CORRUPT_RECORD_KEY,
    IDENTITY,
    LINKED_USER_KEY,
    RESCUED_DATA,
    SEGMENT_FIELDS,
)
from clickstream.gold_sessions import resolve_identity
from clickstream.hashing import hmac_sha256, normalise_email, normalise_id

# A double-quoted JSON string (escapes kept as they are), or the unterminated one a cut-off line
# ends in: the values of a line that did not parse.
_QUOTED = r'"((?:[^"\\]|\\.)*)(?:"|$)'
# An email address in lower-cased free text (a URL's query string, a property, a broken line).
# Narrower than Silver's redaction pattern, which swallows the URL in front of the address.
_EMAIL_TOKEN = r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}"


@dataclass(frozen=True)
class Subject:
    """One person as the pipeline's hashes (hex HMAC-SHA-256 under the PII key)."""

    user_keys: frozenset[str] = field(default_factory=frozenset)
    anonymous_keys: frozenset[str] = field(default_factory=frozenset)
    email_hashes: frozenset[str] = field(default_factory=frozenset)

    def union(self, other: Subject) -> Subject:
        return Subject(
            self.user_keys | other.user_keys,
            self.anonymous_keys | other.anonymous_keys,
            self.email_hashes | other.email_hashes,
        )

    def is_empty(self) -> bool:
        return not (self.user_keys or self.anonymous_keys or self.email_hashes)

    def hashes(self) -> frozenset[str]:
        return self.user_keys | self.anonymous_keys | self.email_hashes

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "user_keys": sorted(self.user_keys),
            "anonymous_keys": sorted(self.anonymous_keys),
            "email_hashes": sorted(self.email_hashes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, list[str]]) -> Subject:
        return cls(
            frozenset(data.get("user_keys", ())),
            frozenset(data.get("anonymous_keys", ())),
            frozenset(data.get("email_hashes", ())),
        )


@dataclass(frozen=True)
class ClearValues:
    """The subject's identifiers as they appear in raw rows (normalised). Never persisted."""

    user_ids: frozenset[str] = frozenset()
    anonymous_ids: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()

    def union(self, other: ClearValues) -> ClearValues:
        return ClearValues(
            self.user_ids | other.user_ids,
            self.anonymous_ids | other.anonymous_ids,
            self.emails | other.emails,
        )

    def is_empty(self) -> bool:
        return not (self.user_ids or self.anonymous_ids or self.emails)


def _hash_all(spark: SparkSession, values: Iterable[str], normalise, key: str) -> frozenset[str]:
    values = sorted(set(values))
    if not values:
        return frozenset()
    frame = spark.createDataFrame([(v,) for v in values], "value string")
    hashed = frame.select(hmac_sha256(normalise(F.col("value")), key).alias("h"))
    return frozenset(r.h for r in hashed.collect() if r.h is not None)


def subject_of(
    spark: SparkSession,
    key: str,
    user_ids: Iterable[str] = (),
    anonymous_ids: Iterable[str] = (),
    emails: Iterable[str] = (),
) -> Subject:
    """The pipeline hashes of clear identifiers (computed by Spark, exactly as Silver does)."""
    return Subject(
        _hash_all(spark, user_ids, normalise_id, key),
        _hash_all(spark, anonymous_ids, normalise_id, key),
        _hash_all(spark, emails, normalise_email, key),
    )


def _in(column: Column, values: Iterable[str]) -> Column:
    values = sorted(values)
    return column.isin(values) if values else F.lit(False)


def _collect(frame: DataFrame, column: str) -> frozenset[str]:
    return frozenset(r[0] for r in frame.select(column).distinct().collect() if r[0] is not None)


def expand(silver: DataFrame, subject: Subject) -> Subject:
    """The subject plus what Silver links to it (see the module docstring, step 2)."""
    by_email = silver.where(
        F.col("user_key").isNotNull() & _in(F.col("email_hash"), subject.email_hashes)
    )
    users = subject.user_keys | _collect(by_email, "user_key")
    theirs = silver.where(_in(F.col("user_key"), users))
    emails = subject.email_hashes | _collect(theirs, "email_hash")
    stitched = resolve_identity(silver).where(
        F.col("user_key").isNull() & _in(F.col(IDENTITY), users)
    )
    anonymous = subject.anonymous_keys | _collect(stitched, "anonymous_key")
    return Subject(frozenset(users), frozenset(anonymous), frozenset(emails))


def _corrupt_line() -> Column:
    """The whole line Bronze kept for a row that did not parse (``{"_corrupt_record":
    {"reason": ..., "line": ...}}`` in ``_rescued_data``)."""
    return F.get_json_object(F.col(RESCUED_DATA), f"$.{CORRUPT_RECORD_KEY}.{CORRUPT_LINE}")


def _raw_text() -> Column:
    """Every text of a raw row: the fields, the rescued data and a line that did not parse."""
    parts = [F.col(name) for name in SEGMENT_FIELDS] + [F.col(RESCUED_DATA), _corrupt_line()]
    return F.concat_ws("\n", *parts)


def _emails_in(text: Column) -> Column:
    return F.transform(
        F.regexp_extract_all(F.lower(text), F.lit(_EMAIL_TOKEN), 0), lambda e: F.trim(e)
    )


def _quoted_strings(text: Column) -> Column:
    return F.transform(F.regexp_extract_all(text, F.lit(_QUOTED), 1), normalise_id)


def _trait_emails() -> list[Column]:
    return [
        F.get_json_object(F.col("traits"), "$.email"),
        F.get_json_object(F.col("context"), "$.traits.email"),
    ]


def clear_values(raw: DataFrame, subject: Subject, key: str) -> ClearValues:
    """The clear identifiers in ``raw`` (Bronze-shaped rows) whose pipeline hashes are the
    subject's: user ids, anonymous ids, emails (normalised as Silver hashes them)."""
    ids = raw.select(
        normalise_id(F.col("userId")).alias("u"),
        normalise_id(F.col("anonymousId")).alias("a"),
        _emails_in(_raw_text()).alias("emails"),
        F.array(*[normalise_email(e) for e in _trait_emails()]).alias("traits"),
    )
    users = ids.select(F.col("u").alias("v")).distinct()
    users = users.where(_in(hmac_sha256(F.col("v"), key), subject.user_keys))
    anonymous = ids.select(F.col("a").alias("v")).distinct()
    anonymous = anonymous.where(_in(hmac_sha256(F.col("v"), key), subject.anonymous_keys))
    emails = ids.select(F.explode(F.array_union("emails", "traits")).alias("v")).distinct()
    emails = emails.where(_in(hmac_sha256(normalise_email(F.col("v")), key), subject.email_hashes))
    return ClearValues(_collect(users, "v"), _collect(anonymous, "v"), _collect(emails, "v"))


def raw_trait_emails(raw: DataFrame, user_ids: Iterable[str]) -> frozenset[str]:
    """Emails in the identify traits of the raw rows of these users (normalised)."""
    theirs = raw.where(_in(normalise_id(F.col("userId")), user_ids))
    emails = theirs.select(F.explode(F.array(*[normalise_email(e) for e in _trait_emails()])))
    return _collect(emails.toDF("v"), "v")


def raw_match(clear: ClearValues) -> Column:
    """True for a raw row (Bronze columns) that is the subject's (module docstring, step 3)."""
    user = normalise_id(F.col("userId"))
    emails = sorted(clear.emails)
    ids = sorted(clear.user_ids | clear.anonymous_ids)
    carries_email = (
        F.arrays_overlap(_emails_in(_raw_text()), F.array(*[F.lit(e) for e in emails]))
        if emails
        else F.lit(False)
    )
    quoted = (
        F.arrays_overlap(_quoted_strings(_corrupt_line()), F.array(*[F.lit(i) for i in ids]))
        if ids
        else F.lit(False)
    )
    anonymous_only = user.isNull() & (
        _in(normalise_id(F.col("anonymousId")), clear.anonymous_ids)
        | F.coalesce(quoted, F.lit(False))
    )
    return F.coalesce(_in(user, clear.user_ids) | anonymous_only | carries_email, F.lit(False))


def silver_match(subject: Subject, event_ids: Iterable[str] = ()) -> Column:
    """True for a Silver row of the subject: their keys, their email hash (also as a hashed
    property value), or an event whose raw copy was theirs."""
    emails = sorted(subject.email_hashes)
    in_properties = (
        F.arrays_overlap(F.map_values("properties"), F.array(*[F.lit(e) for e in emails]))
        if emails
        else F.lit(False)
    )
    anonymous = F.col("user_key").isNull() & _in(F.col("anonymous_key"), subject.anonymous_keys)
    return F.coalesce(
        _in(F.col("user_key"), subject.user_keys)
        | anonymous
        | _in(F.col("email_hash"), subject.email_hashes)
        | F.coalesce(in_properties, F.lit(False))
        | _in(F.col("event_id"), event_ids),
        F.lit(False),
    )


def silver_event_ids(
    silver: DataFrame, subject: Subject, event_ids: Iterable[str]
) -> frozenset[str]:
    """The ``event_id`` of the subject's Silver rows: with the raw rows' ones, what the quality
    ledger holds of them, even once retention has deleted their raw rows."""
    return _collect(silver.where(silver_match(subject, event_ids)).select("event_id"), "event_id")


def ledger_match(event_ids: Iterable[str]) -> Column:
    """True for a ``gold_quality_ledger`` row of one of the subject's events."""
    return F.coalesce(_in(F.col("event_id"), event_ids), F.lit(False))


def sessions_match(subject: Subject) -> Column:
    """True for a ``gold_sessions`` row of the subject (its identity is one of their keys)."""
    return _in(F.col("user_key"), subject.user_keys | subject.anonymous_keys)


def dim_users_match(subject: Subject) -> Column:
    """True for a ``gold_dim_users`` version of the subject (their key or their email hash)."""
    return F.coalesce(
        _in(F.col("user_key"), subject.user_keys) | _in(F.col("email_hash"), subject.email_hashes),
        F.lit(False),
    )


def keyed_match(subject: Subject, columns: Iterable[str]) -> Column:
    """True for a row of any other table whose person keys (``user_key``, ``anonymous_key``,
    the stitched ``identity``, ``linked_user_key``) or ``email_hash`` (where it has them) are
    one of the subject's: the Gold steps that keep daily figures incremental hold identities."""
    columns = set(columns)
    match = F.lit(False)
    keys = subject.user_keys | subject.anonymous_keys
    for column in ("user_key", "anonymous_key", IDENTITY, LINKED_USER_KEY):
        if column in columns:
            match = match | _in(F.col(column), keys)
    if "email_hash" in columns:
        match = match | _in(F.col("email_hash"), subject.email_hashes)
    return F.coalesce(match, F.lit(False))


def raw_event_ids(raw: DataFrame, clear: ClearValues) -> frozenset[str]:
    """The ``event_id`` (trimmed ``messageId``) of the subject's raw rows."""
    ids = raw.where(raw_match(clear)).select(F.trim(F.col("messageId")).alias("v"))
    return _collect(ids, "v")
