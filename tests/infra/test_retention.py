"""LandingRetention: the lifecycle policy that deletes raw landing files after rawRetentionDays."""

from infra.config.keys import KEYS

POLICY = "azure-native:storage:ManagementPolicy"


def _rule(plan) -> dict:
    (rule,) = plan.only(POLICY).inputs["policy"]["rules"]
    return rule


def test_the_account_gets_its_one_management_policy_named_default(deploy):
    policy = deploy().only(POLICY).inputs
    assert policy["managementPolicyName"] == "default"
    assert policy["accountName"] == "clickstreamlakedev"


def test_only_block_blobs_under_the_landing_folder_are_deleted(deploy):
    rule = _rule(deploy())
    assert rule["enabled"] is True and rule["type"] == "Lifecycle"
    assert rule["definition"]["filters"] == {
        "blobTypes": ["blockBlob"],
        "prefixMatch": ["landing/clickstream/"],
    }


def test_landing_files_are_deleted_after_the_default_retention(deploy):
    delete = _rule(deploy())["definition"]["actions"]["baseBlob"]["delete"]
    assert delete == {"daysAfterModificationGreaterThan": KEYS["rawRetentionDays"]}


def test_retention_follows_the_stack_setting(deploy):
    delete = _rule(deploy("prod", set={"rawRetentionDays": "7"}))["definition"]["actions"]
    assert delete["baseBlob"]["delete"] == {"daysAfterModificationGreaterThan": 7}


def test_the_catalog_container_is_never_matched(deploy):
    # Managed tables live there; Delta removes its own files (VACUUM), never a lifecycle rule.
    prefixes = _rule(deploy())["definition"]["filters"]["prefixMatch"]
    assert not [p for p in prefixes if p.startswith("catalog")]
