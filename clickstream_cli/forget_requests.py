"""Erasure requests for ``clickstream-local forget``: from the command line or a requests file.

Bad input raises :class:`RequestError` before anything is changed.
"""

from __future__ import annotations

import json
from pathlib import Path

from clickstream_cli.erasure_log import Request

REQUEST_KEYS = {"user_id": "user_ids", "anonymous_id": "anonymous_ids", "email": "emails"}


class ForgetError(Exception):
    """The erasure could not be completed; what was journalled stays pending."""


class RequestError(ForgetError):
    """Bad input: nothing was changed."""


def _values(raw: object, where: str) -> tuple[str, ...]:
    values = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise RequestError(f"{where}: identifiers must be non-blank strings")
    return tuple(values)


def request_from(user_ids=(), anonymous_ids=(), emails=(), where: str = "arguments") -> Request:
    request = Request(
        _values(list(user_ids), where) if user_ids else (),
        _values(list(anonymous_ids), where) if anonymous_ids else (),
        _values(list(emails), where) if emails else (),
    )
    if not request.needles():
        raise RequestError(f"{where}: no identifier given")
    return request


def read_requests(path: Path) -> list[Request]:
    """A requests file: one JSON object per line, keys ``user_id``, ``anonymous_id``, ``email``
    (a string or a list of strings each); one line is one person."""
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise RequestError(f"cannot read {path}: {type(error).__name__}") from None
    requests = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            item = json.loads(line)
        except ValueError:
            raise RequestError(f"{where}: not a JSON object") from None
        if not isinstance(item, dict):
            raise RequestError(f"{where}: not a JSON object")
        unknown = sorted(set(item) - set(REQUEST_KEYS))
        if unknown:
            raise RequestError(f"{where}: unknown keys {unknown}; use {sorted(REQUEST_KEYS)}")
        fields = {REQUEST_KEYS[k]: _values(v, where) for k, v in item.items()}
        requests.append(request_from(**fields, where=where))
    if not requests:
        raise RequestError(f"{path}: no request in the file")
    return requests
