"""The adapter between pulumi-policy and ``rules``: one mandatory policy per rule.

The engine hands each policy its props wrapped by ``pulumi_policy.proxy.unknown_checking_proxy``:
mappings arrive as ``_DictProxy`` (a ``collections.abc.Mapping``), lists as ``_ListProxy`` (a
``Sequence``, not a ``list``), and reading a value unknown during a preview raises
``UnknownValueError``. ``plain()`` turns that into plain dicts and lists, with unknowns as
``model.UNKNOWN``, so the rules see what the tests and ``make preview`` give them. The pack
config (``policy/config.py``, one copy of the stack's settings per policy) becomes
``model.Settings``.

Imported by ``__main__.py``, which serves the pack; kept apart so that tests can drive these
policies through pulumi-policy's own analyzer without starting a server.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy.policy import Policy
from pulumi_policy.proxy import UnknownValueError

from policy import model, rules

NAME = "clickstream-lakeflow"
CONFIG = PolicyConfigSchema(
    properties=model.CONFIG_PROPERTIES, required=sorted(model.CONFIG_PROPERTIES)
)


def _each(value: Any) -> Iterator[tuple[Any, Any]]:
    keys = list(value.keys()) if isinstance(value, Mapping) else range(len(value))
    for key in keys:
        try:
            yield key, plain(value[key])
        except UnknownValueError:
            yield key, model.UNKNOWN


def plain(value: Any) -> Any:
    """A deep copy of policy props in plain Python; values unknown in a preview become UNKNOWN."""
    if isinstance(value, Mapping):
        return dict(_each(value))
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [item for _, item in _each(value)]
    return value


def settings(args: Any) -> model.Settings:
    return model.Settings.from_pack_config(args.get_config())


def resource(item: Any) -> model.Resource:
    return model.Resource(
        type=item.resource_type,
        name=item.name,
        props=plain(item.props),
        protect=bool(item.opts.protect) if item.opts is not None else False,
        urn=item.urn,
    )


def _mandatory(kind: type, rule: str, description: str, run: Any) -> Policy:
    return kind(
        name=rule,
        description=description,
        validate=run,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=CONFIG,
    )


def _resource_policy(rule: str, description: str, validate: rules.ResourceRule) -> Policy:
    def run(args, report_violation):
        for message in validate(resource(args), settings(args)):
            report_violation(str(model.Violation(rule, args.name, message)))

    return _mandatory(ResourceValidationPolicy, rule, description, run)


def _stack_policy(rule: str, description: str, validate: rules.StackRule) -> Policy:
    def run(args, report_violation):
        resources = [resource(r) for r in args.resources]
        for violation in validate(resources, settings(args)):
            report_violation(str(violation), violation.urn or None)

    return _mandatory(StackValidationPolicy, rule, description, run)


def policies() -> list[Policy]:
    """Every rule of ``rules`` as a mandatory policy that takes the stack's settings."""
    return [
        *(_resource_policy(n, d, f) for n, (d, f) in rules.RESOURCE_RULES.items()),
        *(_stack_policy(n, d, f) for n, (d, f) in rules.STACK_RULES.items()),
    ]
