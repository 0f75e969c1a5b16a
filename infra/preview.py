"""Offline plan: run the Pulumi program under mocks and list what ``pulumi up`` would create.

    python -m infra.preview --stack dev [--json]

The policy pack's rules (``policy/rules.py``) run over the same resources, with the settings the
pack gets as pack config (``policy/config.py``): a violation is printed with its rule and
resource, and the command exits 1.

Reads ``Pulumi.yaml`` (defaults) and ``Pulumi.<stack>.yaml`` itself, feeds them to the mocks and
prints every resource (type, logical name, the inputs that matter) and the stack outputs. No
Pulumi CLI, no provider plugins, no credentials: values the cloud would compute (names, ids,
identities) are faked here, and secrets are masked. A bad config prints one line and exits 1.
The placeholder ids the stack files ship with (which ``pulumi preview``/``up`` refuse) are replaced
by marked stand-ins (``infra.mocks.PREVIEW_ID_PREFIX``), and a note names each one.
The same ``RecordingMocks`` and ``run()`` back the infra tests.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from infra import config as stack_config
from infra.mocks import (
    PLACEHOLDER_HOST,
    PREVIEW_ID_PREFIX,
    REPO_ROOT,
    Plan,
    Recorded,
    RecordingMocks,
    flatten,
    preview_ids,
    run,
    stack_file_config,
)
from policy import config as pack_config
from policy import rules as policy_rules

MASK = "(secret)"
PREVIEW_SUBSCRIPTION = PREVIEW_ID_PREFIX + "000000000000"
_SECRET_INPUTS = {"stringValue", "result"}

__all__ = ["REPO_ROOT", "Plan", "Recorded", "RecordingMocks", "main", "run", "stack_file_config"]


def _shown_inputs(resource: Recorded) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in sorted(resource.inputs.items()):
        if key in _SECRET_INPUTS:
            shown[key] = MASK
        elif key == "contentBase64":
            shown["bytes"] = len(value or "") * 3 // 4
        elif key == "serializedDashboard":
            # The whole Lakeview JSON is ~16 KB: its size says enough in a plan listing.
            shown["serializedDashboardChars"] = len(value or "")
        elif key not in ("tags", "__defaults"):
            shown[key] = value
    return shown


def plan_as_dict(plan: Plan) -> dict[str, Any]:
    return {
        "stack": plan.stack,
        "resources": [
            {
                "type": r.type,
                "name": r.name,
                "protect": r.protect,
                "inputs": _shown_inputs(r),
            }
            for r in plan.resources
            if r.custom
        ],
        "outputs": plan.outputs,
    }


def _short_type(typ: str) -> str:
    """databricks:index/pipeline:Pipeline -> databricks:Pipeline."""
    package, _, rest = typ.partition(":")
    module, _, kind = rest.partition(":")
    return f"{package}:{kind}" if module.startswith("index") else typ


def _print_table(data: dict[str, Any], notes: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"pulumi up -s {data['stack']} would create (offline plan, mocks)")
    table.add_column("type", style="cyan")
    table.add_column("logical name", style="bold")
    table.add_column("protect")
    table.add_column("inputs", overflow="fold")
    for resource in data["resources"]:
        inputs = "\n".join(f"{k}: {flatten(v)}" for k, v in resource["inputs"].items())
        table.add_row(
            _short_type(resource["type"]),
            resource["name"],
            "yes" if resource["protect"] else "",
            inputs,
        )
    console.print(table)
    outputs = Table(title="stack outputs")
    outputs.add_column("output", style="bold")
    outputs.add_column("value (ids and URLs faked)")
    for key, value in sorted(data["outputs"].items()):
        outputs.add_row(key, flatten(value))
    console.print(outputs)
    for note in notes:
        console.print(f"[yellow]note:[/yellow] {note}")


def policy_violations(plan: Plan, settings: policy_rules.Settings) -> list[policy_rules.Violation]:
    """The policy pack's rules (policy/rules.py) over the resources the program declared."""
    resources = [
        policy_rules.Resource(r.type, r.name, r.inputs, r.protect, r.name)
        for r in plan.resources
        if r.custom
    ]
    return policy_rules.check(resources, settings)


def reminders(plan: Plan) -> list[str]:
    """One-time steps that `pulumi up` against the real cloud depends on."""
    notes: list[str] = []
    if plan.of_type(policy_rules.NCC):
        notes.append(
            "the NCC's stable subnets are added to the storage firewall (no approval step); "
            "the storage account must be in the workspace's region (docs/deploy.md)"
        )
    if plan.of_type("time:index/sleep:Sleep"):
        notes.append(
            "first `pulumi up` waits 10 minutes after the connector's role assignment "
            "(Azure RBAC propagation) before Unity Catalog validates the credential"
        )
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    args = parser.parse_args(argv)

    notes: list[str] = []
    try:
        config, secrets = stack_file_config(args.stack)
        config, substituted = preview_ids(config)
        notes += [
            f"{key} is a placeholder in Pulumi.{args.stack}.yaml (pulumi preview/up refuse it): "
            f"this offline plan uses the stand-in {config[key]}"
            for key in substituted
        ]
        # The provider settings may live in the environment; offline, stand-ins will do.
        for key, env, stand_in in (
            (stack_config.HOST_KEY, stack_config.HOST_ENV, PLACEHOLDER_HOST),
            (stack_config.SUBSCRIPTION_KEY, stack_config.SUBSCRIPTION_ENV, PREVIEW_SUBSCRIPTION),
        ):
            if key not in config and not os.environ.get(env):
                config[key] = stand_in
                notes.append(f"{key} not set (nor {env}): using the stand-in {stand_in}")
        host = config.get(stack_config.HOST_KEY) or os.environ.get(stack_config.HOST_ENV, "")
        plan = run(config, args.stack, secrets, mocks=RecordingMocks(host or PLACEHOLDER_HOST))
    except stack_config.ConfigError as error:
        print(f"config error in stack {args.stack!r}: {error}", file=sys.stderr)
        return 1

    violations = policy_violations(plan, pack_config.settings(config))
    notes += reminders(plan)
    data = plan_as_dict(plan)
    data["policy_violations"] = [str(v) for v in violations]
    if args.json:
        json.dump(data, sys.stdout, indent=2, sort_keys=True, default=str)
        print()
    else:
        _print_table(data, notes)
    for violation in violations:
        print(f"policy violation: {violation}", file=sys.stderr)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
