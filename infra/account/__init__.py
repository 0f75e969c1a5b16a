"""The account-level Pulumi program: the objects a workspace deploy identity may not create.

An account admin applies it once per workspace stack (``pulumi -C infra/account up -s <stack>``);
the workspace stack takes its outputs as configuration (``databricksNccId``,
``storageAllowedSubnetIds``) and never reads its state. See docs/deploy.md.
"""
