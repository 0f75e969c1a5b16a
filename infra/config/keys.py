"""The stack settings this program reads, their defaults, and the shapes their values must have.

``KEYS`` and ``PROJECT`` are read from ``Pulumi.yaml``, where each setting is declared once with
its type, default and description.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


def declared_settings(project_file: Path) -> tuple[str, dict[str, Any]]:
    """(project name, key -> default) from a ``Pulumi.yaml``: the ``config:`` block is where
    every setting is written, once; a key without a default is required (None)."""
    project = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    keys = {str(k): spec.get("default") for k, spec in (project.get("config") or {}).items()}
    return str(project["name"]), keys


# key -> default (None: required). "" means "derived from another value or the stack name".
PROJECT, KEYS = declared_settings(Path(__file__).resolve().parents[2] / "Pulumi.yaml")

# Provider settings the program needs; each may come from the environment instead.
HOST_KEY, HOST_ENV = "databricks:host", "DATABRICKS_HOST"
SUBSCRIPTION_KEY, SUBSCRIPTION_ENV = "azure-native:subscriptionId", "ARM_SUBSCRIPTION_ID"

# Credentials belong in the environment (or OIDC), never in a stack file.
CREDENTIAL_KEYS = (
    "databricks:token",
    "databricks:password",
    "databricks:clientSecret",
    "databricks:azureClientSecret",
    "azure-native:clientSecret",
    "azure-native:clientCertificatePassword",
)

AZURE_REGIONS = frozenset(
    """
    australiacentral australiaeast australiasoutheast austriaeast belgiumcentral brazilsouth
    canadacentral canadaeast centralindia centralus chilecentral eastasia eastus eastus2
    francecentral germanywestcentral indonesiacentral israelcentral italynorth japaneast
    japanwest koreacentral koreasouth malaysiawest mexicocentral newzealandnorth northcentralus
    northeurope norwayeast polandcentral qatarcentral southafricanorth southcentralus
    southeastasia southindia spaincentral swedencentral switzerlandnorth uaenorth uksouth ukwest
    westcentralus westeurope westus westus2 westus3
    """.split()
)
STORAGE_SKUS = (
    "Standard_LRS",
    "Standard_ZRS",
    "Standard_GRS",
    "Standard_GZRS",
    "Standard_RAGRS",
    "Standard_RAGZRS",
)
TRIGGERS = ("schedule", "continuous")
DEFAULT_ACTIONS = ("Deny", "Allow")
# ncc: the account stack (infra/account) created and bound an NCC; databricksNccId names it and
# storageAllowedSubnetIds lists its stable subnets; none: no serverless path (only with
# storageDefaultAction Allow).
SERVERLESS_NETWORKS = ("ncc", "none")

STORAGE_NAME = re.compile(r"^[a-z0-9]{3,24}$")
UC_NAME = re.compile(r"^[a-z][a-z0-9_]{0,254}$")
GROUP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,254}$")
RESOURCE_GROUP = re.compile(r"^[-\w.()]{1,89}[-\w()]$")
SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# The ids shipped in Pulumi.<stack>.yaml are all zeros but for the last group. No real account,
# subscription or application id has that shape (they are random version-4 GUIDs).
PLACEHOLDER_GUID = re.compile(r"^00000000-0000-0000-0000-[0-9a-fA-F]{12}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HOST = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?/?$")
WAREHOUSE_ID = re.compile(r"^[0-9a-fA-F]{16}$")
WORKSPACE_ID = re.compile(r"^[0-9]{1,20}$")
SUBNET_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/"
    r"virtualNetworks/[^/]+/subnets/[^/]+$",
    re.IGNORECASE,
)
# A home folder: its owner and the stack's Permissions decide who reaches the code. Never /Shared,
# where every workspace user has CAN MANAGE and a subfolder cannot take that away.
WORKSPACE_FOLDER = re.compile(r"^/Users/[A-Za-z0-9_.@+-]+(/[A-Za-z0-9_.@-]+)+$")
