"""RunAsIdentity component: who may make the pipeline and its job run as the service principal.

Setting ``run_as.service_principal_name`` on a pipeline or a job requires the
``servicePrincipal.user`` role on that principal (Pipelines API and Jobs API, field ``run_as``;
terraform-provider-databricks ``docs/resources/pipeline.md``). The account stack grants it to the
admins group, of which the workspace deploy identities are members, through the principal's
account rule set, so those identities need no account right themselves. The rule set is
authoritative (``docs/resources/access_control_rule_set.md``): it also names the admins group
``servicePrincipal.manager``, so the principal is never left without a manager. Writing it needs
``servicePrincipal.manager`` or account admin: the account admin who applies the account stack.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks

USER_ROLE = "roles/servicePrincipal.user"
MANAGER_ROLE = "roles/servicePrincipal.manager"


@dataclass(frozen=True)
class RunAsArgs:
    """The account, the run-as principal's application id and the group that may use it."""

    account_id: str
    application_id: str
    admins_group: str


def rule_set_name(account_id: str, application_id: str) -> str:
    return f"accounts/{account_id}/servicePrincipals/{application_id}/ruleSets/default"


class RunAsIdentity(pulumi.ComponentResource):
    """The run-as service principal's rule set: admins may use and manage it."""

    rule_set_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: RunAsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("clickstream:account:RunAsIdentity", name, None, opts)
        admins = f"groups/{args.admins_group}"
        self.rule_set = databricks.AccessControlRuleSet(
            f"{name}-rule-set",
            name=rule_set_name(args.account_id, args.application_id),
            grant_rules=[
                databricks.AccessControlRuleSetGrantRuleArgs(role=USER_ROLE, principals=[admins]),
                databricks.AccessControlRuleSetGrantRuleArgs(
                    role=MANAGER_ROLE, principals=[admins]
                ),
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.rule_set_name = self.rule_set.name
        self.register_outputs({"rule_set": self.rule_set_name})
