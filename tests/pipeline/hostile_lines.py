"""Hypothesis strategies for hostile landing lines: what code the data team does not control
may write into a clickstream file.

JSON objects are drawn as lists of (key, value) pairs and serialised here, so a key can repeat
at any level (a Python dict cannot hold that). Lone surrogates are written as JSON escapes
(``\\ud800``): a raw one cannot be encoded as UTF-8, so it never reaches a file as such.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from clickstream.contract import EVENT_TYPES, SEGMENT_FIELDS

# A JSON value as drawn: ("raw", text) | ("array", [values]) | ("object", [(key, value)]).
RAW, ARRAY, OBJECT = "raw", "array", "object"

EDGE_STRINGS = [
    "", " ", "\u0000", "\ufeff", "\ud800", "\udfff", "\ud83d\ude00", "\u202e", "\u200b",
    "e\u0301", "\uffff", "\\", '"', "\t\n\r", "null", "_corrupt_record", "a" * 300,
    "Ada@Example.com", "https://x.test/p?email=a@b.co#frag",
]  # fmt: skip
EDGE_NUMBERS = [
    "0", "-0", "1e400", "-1e400", "1e-400", "123456789012345678901234567890", "0.1", "-1",
    "9223372036854775808", "NaN", "Infinity", "1.7976931348623157e308", "00012",
]  # fmt: skip
KEYS = st.one_of(
    st.sampled_from(
        [
            *SEGMENT_FIELDS,
            "page",
            "ip",
            "plan",
            "email",
            "url",
            "path",
            "revenue",
            "",
            "_corrupt_record",
        ]
    ),
    st.sampled_from(EDGE_STRINGS),
    st.text(max_size=6),
)


def _string(text: str, ascii_only: bool) -> str:
    has_surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    return json.dumps(text, ensure_ascii=ascii_only or has_surrogate)


strings = st.one_of(st.sampled_from(EDGE_STRINGS), st.text(max_size=20))
scalars = st.one_of(
    st.tuples(st.just(RAW), st.sampled_from(["null", "true", "false", *EDGE_NUMBERS])),
    st.tuples(st.just(RAW), st.integers(min_value=-(10**30), max_value=10**30).map(str)),
    st.tuples(st.just(RAW), st.floats(allow_nan=False, allow_infinity=False).map(repr)),
    st.builds(lambda s, a: (RAW, _string(s, a)), strings, st.booleans()),
)


def objects_of(values):
    """An object whose keys may repeat: sometimes a pair is written twice, value changed."""
    pairs = st.lists(st.tuples(KEYS, values), max_size=5)
    return st.builds(
        lambda p, repeat, other: (OBJECT, p + [(p[0][0], other)] if p and repeat else p),
        pairs,
        st.booleans(),
        values,
    )


json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.tuples(st.just(ARRAY), st.lists(children, max_size=4)),
                               objects_of(children)),
    max_leaves=12,
)  # fmt: skip


def serialise(value, ascii_only: bool = False) -> str:
    kind, body = value
    if kind == RAW:
        return body
    if kind == ARRAY:
        return "[" + ",".join(serialise(v, ascii_only) for v in body) + "]"
    return (
        "{"
        + ",".join(f"{_string(k, ascii_only)}:{serialise(v, ascii_only)}" for k, v in body)
        + "}"
    )


def _text(text: str):
    return (RAW, _string(text, False))


INGESTED_AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
_formats = [
    "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%f+02:00", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d",
    "%d/%m/%Y %H:%M", "%a, %d %b %Y %H:%M:%S GMT", "%Y-%m-%dT%H:%M:%S-11:30",
]  # fmt: skip
timestamps = st.one_of(
    st.builds(
        lambda moment, fmt: moment.strftime(fmt),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        st.sampled_from(_formats),
    ),
    st.builds(
        lambda offset: (INGESTED_AT + timedelta(seconds=offset)).isoformat(),
        st.integers(min_value=-(10**9), max_value=10**7),
    ),
    st.integers(min_value=-(10**14), max_value=10**14).map(str),
    st.sampled_from(
        ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-13-01T00:00:00Z", "+10000-01-01",
         "1999-12-31T23:59:59.999999Z", "2000-01-01T00:00:00Z", "-0001-01-01", "now", "", " "]
    ),
)  # fmt: skip


def _maybe(strategy, hostile=json_values):
    """A field as a well-formed value most of the time, else any JSON value (wrong type)."""
    return st.one_of(strategy, strategy, hostile)


def _field_values():
    return {
        "messageId": _maybe(st.uuids().map(lambda u: _text(str(u)))),
        "type": _maybe(st.sampled_from([*EVENT_TYPES, "Page", " track "]).map(_text)),
        "event": _maybe(st.sampled_from(["Product Viewed", "Order Completed", ""]).map(_text)),
        "name": _maybe(strings.map(_text)),
        "userId": _maybe(strings.map(_text)),
        "anonymousId": _maybe(strings.map(_text)),
        "timestamp": _maybe(timestamps.map(_text)),
        "originalTimestamp": _maybe(timestamps.map(_text)),
        "receivedAt": _maybe(timestamps.map(_text)),
        "context": _maybe(objects_of(st.one_of(json_values, objects_of(json_values)))),
        "properties": _maybe(objects_of(json_values)),
        "traits": _maybe(objects_of(json_values)),
    }


@st.composite
def events(draw):
    """A Segment-shaped event: some fields missing, some of the wrong type, keys repeated."""
    pairs = []
    for field, values in _field_values().items():
        if draw(st.integers(0, 5)) > 0:
            pairs.append((field, draw(values)))
    pairs += draw(st.lists(st.tuples(KEYS, json_values), max_size=2))
    if pairs and draw(st.integers(0, 4)) == 0:
        pairs.append((pairs[0][0], draw(json_values)))
    return serialise((OBJECT, draw(st.permutations(pairs))), draw(st.booleans()))


@st.composite
def hostile_lines(draw):
    """One landing line: an event, maybe damaged (cut, BOM, NUL, wrapped), or something else."""
    line = draw(events())
    damage = draw(st.sampled_from(["none", "none", "cut", "bom", "nul", "array", "other"]))
    if damage == "cut" and line:
        line = line[: draw(st.integers(0, len(line) - 1))]
    elif damage == "bom":
        line = "\ufeff" + line
    elif damage == "nul":
        at = draw(st.integers(0, len(line)))
        line = line[:at] + "\u0000" + line[at:]
    elif damage == "array":
        line = f"[{line}]"
    elif damage == "other":
        line = draw(st.one_of(st.text(max_size=40), json_values.map(serialise)))
    # The text reader splits lines at \n and \r: a line never holds one.
    return line.replace("\n", " ").replace("\r", " ")
