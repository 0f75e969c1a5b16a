"""LandingRetention component: the ADLS lifecycle policy that deletes old raw landing files.

Raw events keep clear-text PII, so they are kept at most ``rawRetentionDays``. Azure Storage
lifecycle management runs the rule about once a day and deletes block blobs under the landing
container's ``clickstream/`` prefix whose last modification is older than the limit
(docs/platform-notes.md, "Raw-data retention"). With blob soft delete on, a deleted blob is kept
``SOFT_DELETE_DAYS`` more before it is gone. The raw Delta tables follow the same limit through
``pipeline/clickstream/retention.py``.

Not protected in prod: the policy holds no data, and replacing it loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import storage

from infra.storage import LANDING_FOLDER

RULE_NAME = "raw-landing-retention"


@dataclass(frozen=True)
class RetentionArgs:
    account_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    landing_container: pulumi.Input[str]
    days: int


class LandingRetention(pulumi.ComponentResource):
    """Deletes landing blobs older than ``days`` (days since their last modification)."""

    def __init__(
        self, name: str, args: RetentionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("clickstream:infra:LandingRetention", name, None, opts)
        # A prefix match starts with the container name ("container/path"; Azure lifecycle docs).
        prefix = pulumi.Output.concat(args.landing_container, "/", LANDING_FOLDER, "/")
        self.policy = storage.ManagementPolicy(
            f"{name}-policy",
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            # An account has one management policy, and its name must be "default".
            management_policy_name="default",
            policy=storage.ManagementPolicySchemaArgs(
                rules=[
                    storage.ManagementPolicyRuleArgs(
                        name=RULE_NAME,
                        enabled=True,
                        type=storage.RuleType.LIFECYCLE,
                        definition=storage.ManagementPolicyDefinitionArgs(
                            filters=storage.ManagementPolicyFilterArgs(
                                blob_types=["blockBlob"], prefix_match=[prefix]
                            ),
                            actions=storage.ManagementPolicyActionArgs(
                                base_blob=storage.ManagementPolicyBaseBlobArgs(
                                    delete=storage.DateAfterModificationArgs(
                                        days_after_modification_greater_than=args.days
                                    )
                                )
                            ),
                        ),
                    )
                ]
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
