"""Dataset SQL: the files under ``dashboards/datasets/``, with the contract's values filled in.

A dataset file may name a constant of :mod:`clickstream.contract` as ``${NAME}``; :func:`fill`
replaces it with the constant as SQL literals (a string -> ``'Order Completed'``, a tuple of
strings -> ``'a', 'b'``), so an event name, a funnel step or a quality total is written once, in
the contract, and every renderer runs the same filled text. :func:`referenced_tables` lists what a
query reads, so the loader can keep the dashboard on the published schema.
"""

from __future__ import annotations

import re
from string import Template

from clickstream import contract

_COMMENT = re.compile(r"--[^\n]*")
_TABLE_REF = re.compile(r"\b(?:FROM|JOIN)\s+([`\w.]+)", re.IGNORECASE)
_CTE_NAME = re.compile(r"(?:\bWITH|,)\s*(\w+)\s+AS\s*\(", re.IGNORECASE)


class TemplateError(ValueError):
    """A dataset names something the contract does not hold."""


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def contract_literals() -> dict[str, str]:
    """Every upper-case string or tuple-of-strings constant of the contract, as SQL literals."""
    literals = {}
    for name, value in vars(contract).items():
        if not name.isupper():
            continue
        if isinstance(value, str):
            literals[name] = _literal(value)
        elif isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
            literals[name] = ", ".join(_literal(v) for v in value)
    return literals


def fill(sql: str) -> str:
    """``sql`` with each ``${NAME}`` replaced by the contract constant NAME as SQL literals."""
    try:
        return Template(sql).substitute(contract_literals())
    except KeyError as error:
        raise TemplateError(
            f"${{{error.args[0]}}} is not a constant of clickstream.contract"
        ) from None
    except ValueError as error:
        raise TemplateError(f"malformed placeholder ({error}); write $$ for a literal $") from None


def strip_header(sql: str) -> str:
    """The SQL without its leading comment lines (the file's header)."""
    lines = sql.strip().splitlines()
    while lines and lines[0].lstrip().startswith("--"):
        lines.pop(0)
    return "\n".join(lines).strip()


def referenced_tables(sql: str) -> set[str]:
    """Tables a query reads (after FROM or JOIN), without its own CTE names; lower case."""
    text = _COMMENT.sub("", sql)
    ctes = {name.lower() for name in _CTE_NAME.findall(text)}
    tables = {ref.strip("`").lower() for ref in _TABLE_REF.findall(text)}
    return tables - ctes
