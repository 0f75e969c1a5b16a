"""CrossGuard policy pack: the project's invariants, enforced in every `pulumi preview` / `up`.

    pulumi preview --policy-pack policy

Each rule of ``policy/rules.py`` becomes one mandatory policy; the rules themselves are plain
functions that the tests and ``make preview`` call directly.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

sys.path.insert(0, str(Path(__file__).resolve().parent))

if TYPE_CHECKING:  # the checker sees the file under the name the tests and infra import it by
    from policy import rules
else:
    import rules

CONFIG = PolicyConfigSchema(
    properties={
        "engineersGroup": {"type": "string", "default": rules.Settings().engineers_group},
    }
)


def plain(value: Any) -> Any:
    """A deep copy of policy props in plain Python; values unknown in a preview become UNKNOWN."""
    if isinstance(value, Mapping):
        copied = {}
        for key in list(value.keys()):
            try:
                copied[key] = plain(value[key])
            except UnknownValueError:
                copied[key] = rules.UNKNOWN
        return copied
    if isinstance(value, list | tuple):
        items = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(rules.UNKNOWN)
        return items
    return value


def _settings(args: Any) -> rules.Settings:
    group = (args.get_config() or {}).get("engineersGroup")
    return rules.Settings(engineers_group=group) if group else rules.Settings()


def _resource(item: Any) -> rules.Resource:
    return rules.Resource(
        type=item.resource_type,
        name=item.name,
        props=plain(item.props),
        protect=bool(item.opts.protect) if item.opts is not None else False,
        urn=item.urn,
    )


def _resource_policy(rule: str, description: str, validate: rules.ResourceRule):
    def run(args, report_violation):
        for message in validate(_resource(args), _settings(args)):
            report_violation(str(rules.Violation(rule, args.name, message)))

    return ResourceValidationPolicy(
        name=rule,
        description=description,
        validate=run,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=CONFIG,
    )


def _stack_policy(rule: str, description: str, validate: rules.StackRule):
    def run(args, report_violation):
        resources = [_resource(r) for r in args.resources]
        for violation in validate(resources, _settings(args)):
            report_violation(str(violation), violation.urn or None)

    return StackValidationPolicy(
        name=rule,
        description=description,
        validate=run,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=CONFIG,
    )


PolicyPack(
    name="clickstream-lakeflow",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        *(_resource_policy(n, d, f) for n, (d, f) in rules.RESOURCE_RULES.items()),
        *(_stack_policy(n, d, f) for n, (d, f) in rules.STACK_RULES.items()),
    ],
)
