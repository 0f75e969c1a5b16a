"""``build()``: the account-level objects of one workspace stack, and the outputs it hands over.

One account-level provider (accounts host + account id) serves every resource: the NCC and its
binding can only be managed at account level, and the run-as principal's rule set may be
(``docs/resources/access_control_rule_set.md``: "account or workspace-level provider").
"""

from __future__ import annotations

import pulumi
import pulumi_databricks as databricks

from infra.account.config import AccountConfig
from infra.account.network import NetworkArgs, ServerlessNetwork
from infra.account.run_as import RunAsArgs, RunAsIdentity

NAME = "clickstream"
# Stack outputs -> the workspace stack setting each one is copied into (docs/deploy.md).
HANDED_OVER = {"ncc_id": "databricksNccId", "storage_subnet_ids": "storageAllowedSubnetIds"}


def build(cfg: AccountConfig) -> dict[str, pulumi.Output]:
    """Declare the account-level resources; return the stack outputs by their exported names."""
    account = databricks.Provider(
        f"{NAME}-account", host=cfg.accounts_host, account_id=cfg.account_id
    )
    on_account = pulumi.ResourceOptions(providers={"databricks": account})

    run_as = RunAsIdentity(
        f"{NAME}-run-as",
        RunAsArgs(cfg.account_id, cfg.pipeline_run_as, cfg.admins_group),
        opts=on_account,
    )
    outputs: dict[str, pulumi.Output] = {"run_as_rule_set": run_as.rule_set_name}
    if cfg.create_ncc:
        network = ServerlessNetwork(
            f"{NAME}-network",
            NetworkArgs(stack=cfg.stack, region=cfg.region, workspace_id=cfg.workspace_id),
            opts=on_account,
        )
        outputs["ncc_id"] = network.ncc_id
        outputs["storage_subnet_ids"] = network.subnet_ids
    return outputs
