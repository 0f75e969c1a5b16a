"""The invariants of this project as plain functions over a plan's resources.

Used three ways: by the CrossGuard pack (``policy/__main__.py``) in every real ``pulumi preview``
and ``pulumi up``, by ``make preview`` over the resources the program declares under mocks, and
by the unit tests. No import of ``pulumi_policy`` here: the pack adapts its arguments to
``Resource`` and reports each ``Violation``.

Properties are the engine's (camelCase) input names. A value the engine does not know yet during
a preview arrives as ``UNKNOWN`` and never counts as a violation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from policy.model import (
    ENGINEER_PRIVILEGES,
    GRANT,
    GRANTS,
    MANAGED_OBJECTS,
    NCC,
    NCC_PRIVATE_ENDPOINT,
    OWNED_OBJECTS,
    PERMISSIONS,
    PIPELINE,
    SCHEMA,
    STATEFUL,
    STORAGE_ACCOUNT,
    WORKSPACE_PATHS,
    Resource,
    Settings,
    Violation,
    grant_rows,
    is_shared,
    known,
    privileges_of,
)

# --- resource rules: (resource, settings) -> messages ---------------------------------------


def storage_is_hardened(resource: Resource, _: Settings) -> list[str]:
    if resource.type != STORAGE_ACCOUNT:
        return []
    wanted = {
        "isHnsEnabled": True,
        "minimumTlsVersion": "TLS1_2",
        "enableHttpsTrafficOnly": True,
        "allowBlobPublicAccess": False,
        "allowSharedKeyAccess": False,
    }
    return [
        f"{prop} must be {value!r} (got {resource.props.get(prop)!r})"
        for prop, value in wanted.items()
        if known(resource.props.get(prop)) and resource.props.get(prop) != value
    ]


def no_workspace_code_under_shared(resource: Resource, _: Settings) -> list[str]:
    prop = WORKSPACE_PATHS.get(resource.type)
    if prop is None or not is_shared(resource.props.get(prop)):
        return []
    return [
        f"{prop} {resource.props.get(prop)!r} is under /Shared, where every workspace user has "
        "CAN MANAGE; deploy into a home folder with its own permissions"
    ]


def authoritative_grants_only(resource: Resource, _: Settings) -> list[str]:
    if resource.type != GRANT:
        return []
    return ["databricks.Grant is additive; declare one authoritative databricks.Grants instead"]


def no_all_privileges(resource: Resource, _: Settings) -> list[str]:
    if resource.type not in (GRANTS, GRANT):
        return []
    return [
        f"grants ALL_PRIVILEGES to {row.get('principal')!r}"
        for row in grant_rows(resource)
        if "ALL_PRIVILEGES" in privileges_of(row)
    ]


def engineers_least_privilege(resource: Resource, settings: Settings) -> list[str]:
    group = settings.engineers_group
    problems: list[str] = []
    if resource.type in (GRANTS, GRANT):
        for row in grant_rows(resource):
            if row.get("principal") != group:
                continue
            if "externalLocation" in resource.props:
                problems.append(f"{group} may have nothing on an external location")
            extra = sorted(set(privileges_of(row)) - ENGINEER_PRIVILEGES)
            if extra:
                problems.append(
                    f"{group} may only have USE_CATALOG, USE_SCHEMA, SELECT; got {extra}"
                )
    elif resource.type == PERMISSIONS and (
        "pipelineId" in resource.props or "jobId" in resource.props
    ):
        for control in _controls(resource):
            if control.get("groupName") == group:
                problems.append(
                    f"{group} may have no permission on a pipeline or job: its pages show the "
                    "event log and error messages, which can quote raw records"
                )
    return problems


def _controls(resource: Resource) -> list[Mapping[str, Any]]:
    controls = resource.props.get("accessControls")
    return [c for c in controls if isinstance(c, Mapping)] if isinstance(controls, list) else []


def owners_are_explicit(resource: Resource, settings: Settings) -> list[str]:
    if resource.type != PERMISSIONS or not known(resource.props.get("accessControls")):
        return []
    controls = _controls(resource)
    deployer = settings.deploy_principal
    if any(argument in resource.props for argument in OWNED_OBJECTS):
        owners = [c for c in controls if c.get("permissionLevel") == "IS_OWNER"]
        if len(owners) != 1 or not owners[0].get("servicePrincipalName"):
            return [
                "must name exactly one IS_OWNER, a service principal: without it the provider "
                "makes whoever applies the owner and a refresh by another identity shows drift"
            ]
        named = owners[0].get("servicePrincipalName")
        if deployer is not None and known(named) and named != deployer:
            return [f"IS_OWNER must be the deploy principal {deployer!r}, got {named!r}"]
    elif deployer is not None and any(argument in resource.props for argument in MANAGED_OBJECTS):
        managed = {
            c.get("servicePrincipalName")
            for c in controls
            if c.get("permissionLevel") == "CAN_MANAGE"
        }
        if deployer not in managed:
            return [f"must give the deploy principal {deployer!r} CAN_MANAGE by name"]
    return []


def serverless_pipeline_in_unity_catalog(resource: Resource, _: Settings) -> list[str]:
    if resource.type != PIPELINE:
        return []
    problems = []
    if resource.props.get("serverless") is not True and known(resource.props.get("serverless")):
        problems.append("serverless must be true")
    for prop in ("catalog", "schema"):
        value = resource.props.get(prop)
        if known(value) and not value:
            problems.append(f"{prop} must be set (Unity Catalog publishing)")
    return problems


ResourceRule = Callable[[Resource, Settings], list[str]]
RESOURCE_RULES: dict[str, tuple[str, ResourceRule]] = {
    "storage-hardened": (
        "ADLS accounts: hierarchical namespace, TLS 1.2, HTTPS only, no public blob access, "
        "no shared key",
        storage_is_hardened,
    ),
    "no-workspace-code-under-shared": (
        "No workspace code, folder or pipeline root under /Shared",
        no_workspace_code_under_shared,
    ),
    "authoritative-grants-only": (
        "Unity Catalog privileges only through authoritative databricks.Grants",
        authoritative_grants_only,
    ),
    "no-all-privileges": ("No grant of ALL_PRIVILEGES", no_all_privileges),
    "engineers-least-privilege": (
        "Engineers: only USE_CATALOG/USE_SCHEMA/SELECT, nothing on external locations, "
        "no permission on pipelines or jobs",
        engineers_least_privilege,
    ),
    "serverless-pipeline-in-unity-catalog": (
        "Pipelines are serverless and publish to a catalog and schema",
        serverless_pipeline_in_unity_catalog,
    ),
    "owners-are-explicit": (
        "Permissions name the owner (IS_OWNER) of jobs, pipelines and warehouses, and the deploy "
        "principal's CAN_MANAGE on folders and dashboards",
        owners_are_explicit,
    ),
}


# --- stack rules: (resources, settings) -> violations ----------------------------------------


def firewall_deny_has_serverless_path(
    resources: Sequence[Resource], _: Settings
) -> list[Violation]:
    has_ncc = any(r.type in (NCC, NCC_PRIVATE_ENDPOINT) for r in resources)
    found = []
    for account in (r for r in resources if r.type == STORAGE_ACCOUNT):
        rules = account.props.get("networkRuleSet")
        if not isinstance(rules, Mapping) or rules.get("defaultAction") != "Deny":
            continue
        subnets = rules.get("virtualNetworkRules")
        if has_ncc or not known(subnets) or subnets:
            continue
        found.append(
            Violation(
                "firewall-deny-has-serverless-path",
                account.name,
                "the firewall denies by default but the stack has no NCC and the account lists "
                "no subnets: serverless pipelines could not reach it",
                account.urn,
            )
        )
    return found


def _raw_schemas(resources: Sequence[Resource]) -> set[str]:
    names: set[str] = set()
    for pipeline in (r for r in resources if r.type == PIPELINE):
        catalog = pipeline.props.get("catalog")
        configuration = pipeline.props.get("configuration") or {}
        event_log = pipeline.props.get("eventLog") or {}
        for schema in (configuration.get("clickstream.raw_schema"), event_log.get("schema")):
            if isinstance(catalog, str) and isinstance(schema, str):
                names.add(f"{catalog}.{schema}")
    for schema in (r for r in resources if r.type == SCHEMA):
        name, catalog = schema.props.get("name"), schema.props.get("catalogName")
        if isinstance(name, str) and isinstance(catalog, str) and name.endswith("_raw"):
            names.add(f"{catalog}.{name}")
    return names


def engineers_nothing_on_raw_schema(
    resources: Sequence[Resource], settings: Settings
) -> list[Violation]:
    raw = _raw_schemas(resources)
    return [
        Violation(
            "engineers-nothing-on-raw-schema",
            grants.name,
            f"{settings.engineers_group} may have nothing on the raw schema "
            f"{grants.props.get('schema')!r} (Bronze, quarantine and the event log hold raw text)",
            grants.urn,
        )
        for grants in resources
        if grants.type in (GRANTS, GRANT)
        and grants.props.get("schema") in raw
        and any(row.get("principal") == settings.engineers_group for row in grant_rows(grants))
    ]


def production_is_protected(resources: Sequence[Resource], _: Settings) -> list[Violation]:
    production = [
        r for r in resources if r.type == PIPELINE and r.props.get("development") is False
    ]
    if not production:
        return []
    found = [
        Violation(
            "production-is-protected",
            r.name,
            "a production stack (development=false) must protect its data, the identities and "
            "paths that reach it, and the PII key",
            r.urn,
        )
        for r in resources
        if r.type in STATEFUL and not r.protect
    ]
    for pipeline in production:
        run_as = pipeline.props.get("runAs")
        if known(run_as) and not (
            isinstance(run_as, Mapping) and run_as.get("servicePrincipalName")
        ):
            found.append(
                Violation(
                    "production-is-protected",
                    pipeline.name,
                    "a production pipeline must run as a service principal (runAs)",
                    pipeline.urn,
                )
            )
    return found


StackRule = Callable[[Sequence[Resource], Settings], list[Violation]]
STACK_RULES: dict[str, tuple[str, StackRule]] = {
    "firewall-deny-has-serverless-path": (
        "A storage firewall that denies by default comes with an NCC or allowed subnets",
        firewall_deny_has_serverless_path,
    ),
    "engineers-nothing-on-raw-schema": (
        "Engineers have no grant on the raw schema",
        engineers_nothing_on_raw_schema,
    ),
    "production-is-protected": (
        "Production stacks protect stateful resources and run as a service principal",
        production_is_protected,
    ),
}


def check(resources: Iterable[Resource], settings: Settings | None = None) -> list[Violation]:
    """Every violation of every rule over a whole plan."""
    settings = settings or Settings()
    resources = list(resources)
    found: list[Violation] = []
    for rule, (_, validate_resource) in RESOURCE_RULES.items():
        for resource in resources:
            found += [
                Violation(rule, resource.name, message, resource.urn)
                for message in validate_resource(resource, settings)
            ]
    for _, validate_stack in STACK_RULES.values():
        found += validate_stack(resources, settings)
    return found
