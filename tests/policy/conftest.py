"""Plans for the policy tests: the real program's dev and prod plans under mocks, as rule input."""

from __future__ import annotations

import pytest

from infra import preview
from infra.preview_summary import FROM_ACCOUNT_STACK as PREVIEW_VALUES
from policy import rules

HOST = "https://adb-1234567890123456.7.azuredatabricks.net"
SUBSCRIPTION = "12345678-1234-1234-1234-123456789abc"
FROM_ACCOUNT_STACK = {
    f"clickstream-lakeflow:{key}": value for key, (_, value) in PREVIEW_VALUES.items()
}


def plan_resources(stack: str) -> list[rules.Resource]:
    config, secrets = preview.stack_file_config(stack)
    config["databricks:host"] = HOST
    config["azure-native:subscriptionId"] = SUBSCRIPTION
    config.update(FROM_ACCOUNT_STACK)  # the account stack's outputs (docs/deploy.md step 5)
    plan = preview.run(config, stack, secrets, mocks=preview.RecordingMocks(HOST))
    return [rules.Resource(r.type, r.name, r.inputs, r.protect) for r in plan.resources if r.custom]


@pytest.fixture(scope="session")
def prod_plan() -> list[rules.Resource]:
    return plan_resources("prod")


@pytest.fixture(scope="session")
def dev_plan() -> list[rules.Resource]:
    return plan_resources("dev")
