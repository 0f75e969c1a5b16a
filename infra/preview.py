"""Offline plan: run the Pulumi programs under mocks and list what ``pulumi up`` would create.

    python -m infra.preview --stack dev [--json]

The policy pack's rules (``policy/rules.py``) run over the same resources, with the settings the
pack gets as pack config (``policy/config.py``): a violation is printed with its rule and
resource, and the command exits 1.

Reads ``Pulumi.yaml`` (defaults) and ``Pulumi.<stack>.yaml`` itself, and the account stack's
``infra/account/Pulumi.<stack>.yaml``, feeds them to the mocks and prints every resource (scope,
type, logical name, the inputs that matter; the pipeline's file uploads as one line) and the
stack outputs, then a summary: resources per scope, the rights each scope needs, and what is
still to do. No Pulumi CLI, no provider plugins, no credentials: values the cloud would compute
(names, ids, identities) are faked here, secrets are masked, and settings that only the account
stack or the environment can give stand in as preview values (each one listed as a to-do). A bad
config prints one line and exits 1. The same ``RecordingMocks`` and ``run()`` back the tests.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import Any

from infra import config as stack_config
from infra import preview_summary
from infra.account import config as account_config
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
    run_account,
    stack_file_config,
)
from infra.rights import SCOPES
from policy import config as pack_config
from policy import model as policy_model
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


def _resources(plan: Plan | None, account_stack: bool) -> list[dict[str, Any]]:
    return [
        {
            "scope": preview_summary.scope_of(r.type, account_stack),
            "type": r.type,
            "name": r.name,
            "protect": r.protect,
            "inputs": _shown_inputs(r),
        }
        for r in (plan.resources if plan else [])
        if r.custom
    ]


def plan_as_dict(plan: Plan, account: Plan | None = None) -> dict[str, Any]:
    return {
        "stack": plan.stack,
        "resources": _resources(plan, account_stack=False),
        "account_resources": _resources(account, account_stack=True),
        "outputs": plan.outputs,
        "account_outputs": account.outputs if account else {},
    }


def _short_type(typ: str) -> str:
    """databricks:index/pipeline:Pipeline -> databricks:Pipeline."""
    package, _, rest = typ.partition(":")
    module, _, kind = rest.partition(":")
    return f"{package}:{kind}" if module.startswith("index") else typ


def _collapsed(resources: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    """Table rows; the pipeline's file uploads become one row (count, folder, bytes)."""
    rows = []
    uploads = [r for r in resources if r["type"] == preview_summary.FILE_UPLOAD]
    for resource in resources:
        if resource["type"] == preview_summary.FILE_UPLOAD:
            if resource is uploads[0]:
                folder = os.path.commonpath([u["inputs"].get("path", "/") for u in uploads])
                size = sum(u["inputs"].get("bytes", 0) for u in uploads)
                rows.append(
                    (
                        resource["scope"],
                        _short_type(resource["type"]),
                        f"{len(uploads)} file uploads",
                        "",
                        f"under {folder}, {size} bytes in all",
                    )
                )
            continue
        inputs = "\n".join(f"{k}: {flatten(v)}" for k, v in resource["inputs"].items())
        rows.append(
            (
                resource["scope"],
                _short_type(resource["type"]),
                resource["name"],
                "yes" if resource["protect"] else "",
                inputs,
            )
        )
    return rows


def _print_table(data: dict[str, Any], notes: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"pulumi up -s {data['stack']} would create (offline plan, mocks)")
    for column in ("scope", "type", "logical name", "protect"):
        table.add_column(column)
    table.add_column("inputs", overflow="fold")
    for row in _collapsed(data["account_resources"] + data["resources"]):
        table.add_row(*row)
    console.print(table)
    outputs = Table(title="stack outputs")
    outputs.add_column("output", style="bold")
    outputs.add_column("value (ids and URLs faked)")
    for key, value in sorted(data["outputs"].items()):
        outputs.add_row(key, flatten(value))
    for key, value in sorted(data["account_outputs"].items()):
        outputs.add_row(f"{key} (account stack)", flatten(value))
    console.print(outputs)
    for note in notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    # Plain text, never wrapped: the summary is what a user copies from.
    console.print(_summary_text(data["summary"]), soft_wrap=True, markup=False, highlight=False)


def _summary_text(summary: dict[str, Any]) -> str:
    """The summary as plain lines: scopes, then the numbered to-do list."""
    lines = [f"Summary for stack {summary['stack']} (details: docs/identities.md):"]
    for scope in SCOPES:
        count = summary["counts"].get(scope.scope, 0)
        extra = (
            f" (incl. {summary['file_uploads']} file uploads)"
            if scope.scope == "workspace" and summary["file_uploads"]
            else ""
        )
        lines.append(f"  {scope.scope}: {count} resources{extra}; applied by {scope.applied_by}")
        lines.append(f"    needs: {scope.role}")
    lines.append("Still to do:")
    lines += [f"  {n}. {item}" for n, item in enumerate(summary["todo"], start=1)]
    return "\n".join(lines)


def policy_violations(plan: Plan, settings: policy_model.Settings) -> list[policy_model.Violation]:
    """The policy pack's rules (policy/rules.py) over the resources the program declared."""
    resources = [
        policy_model.Resource(r.type, r.name, r.inputs, r.protect, r.name)
        for r in plan.resources
        if r.custom
    ]
    return policy_rules.check(resources, settings)


def reminders(plan: Plan) -> list[str]:
    """What the first `pulumi up` against the real cloud will do that the user should expect."""
    notes: list[str] = []
    if plan.of_type(preview_summary.RBAC_WAIT):
        notes.append(
            "first `pulumi up` waits 10 minutes after the connector's role assignment "
            "(Azure RBAC propagation) before Unity Catalog validates the credential"
        )
    return notes


def _with_preview_values(
    config: dict[str, str], values: dict[str, str], substituted: list[str]
) -> None:
    for key, value in values.items():
        if config.get(key) in (None, "", "[]"):
            config[key] = value
            substituted.append(key)


def _account_plan(
    stack: str, workspace: dict[str, str], substituted: list[str]
) -> tuple[Plan | None, dict[str, str]]:
    """The account stack of the same name, offline; None when it has no stack file."""
    root = REPO_ROOT / "infra" / "account"
    if not (root / f"Pulumi.{stack}.yaml").exists():
        return None, {}
    config, _ = stack_file_config(stack, root)
    prefix = account_config.PROJECT + ":"
    run_as = workspace.get(f"{stack_config.PROJECT}:pipelineRunAs", "")
    values = {prefix + k: v for k, v in preview_summary.ACCOUNT_PREVIEW_VALUES.items()}
    if run_as:
        values[prefix + "pipelineRunAs"] = run_as
    _with_preview_values(config, values, substituted)
    return run_account(config, stack), config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    args = parser.parse_args(argv)

    notes: list[str] = []
    substituted: list[str] = []
    try:
        config, secrets = stack_file_config(args.stack)
        config, placeholders = preview_ids(config)
        substituted += placeholders
        notes += [
            f"{key} is a placeholder in Pulumi.{args.stack}.yaml (pulumi preview/up refuse it): "
            f"this offline plan uses the stand-in {config[key]}"
            for key in placeholders
        ]
        # Provider settings may live in the environment, and two settings come from the account
        # stack's outputs; offline, marked preview values stand in (each one becomes a to-do).
        for key, env, stand_in in (
            (stack_config.HOST_KEY, stack_config.HOST_ENV, PLACEHOLDER_HOST),
            (stack_config.SUBSCRIPTION_KEY, stack_config.SUBSCRIPTION_ENV, PREVIEW_SUBSCRIPTION),
        ):
            if key not in config and not os.environ.get(env):
                _with_preview_values(config, {key: stand_in}, substituted)
                notes.append(f"{key} not set (nor {env}): using the stand-in {stand_in}")
        from_account = {
            f"{stack_config.PROJECT}:{key}": value
            for key, (_, value) in preview_summary.FROM_ACCOUNT_STACK.items()
        }
        if config.get(f"{stack_config.PROJECT}:serverlessNetwork", "ncc") == "ncc":
            _with_preview_values(config, from_account, substituted)
        host = config.get(stack_config.HOST_KEY) or os.environ.get(stack_config.HOST_ENV, "")
        plan = run(config, args.stack, secrets, mocks=RecordingMocks(host or PLACEHOLDER_HOST))
        account, account_values = _account_plan(args.stack, config, substituted)
    except stack_config.ConfigError as error:
        print(f"config error in stack {args.stack!r}: {error}", file=sys.stderr)
        return 1

    violations = policy_violations(plan, pack_config.settings(config))
    notes += reminders(plan)
    data = plan_as_dict(plan, account)
    data["policy_violations"] = [str(v) for v in violations]
    summary = preview_summary.summarize(plan, account, config, account_values, substituted)
    data["summary"] = dataclasses.asdict(summary)
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
