"""Stack configuration: every bad value stops the program, naming the key, before any resource."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from infra import preview
from infra.config import ConfigError

REPO = Path(__file__).resolve().parents[2]


def config_error(deploy, **kwargs) -> ConfigError:
    mocks = preview.RecordingMocks()
    with pytest.raises(ConfigError) as caught:
        deploy(mocks=mocks, **kwargs)
    assert mocks.resources == [], "a resource was declared before the config was validated"
    return caught.value


def test_both_stack_files_are_valid(deploy):
    assert deploy("dev").outputs and deploy("prod").outputs


def test_missing_required_key_names_it(deploy):
    error = config_error(deploy, unset=("storageAccountName",))
    assert error.key == "storageAccountName" and "required" in str(error)


def test_unknown_location_is_rejected_with_a_suggestion(deploy):
    error = config_error(deploy, set={"location": "westeurop"})
    assert error.key == "location" and "westeurope" in str(error)


@pytest.mark.parametrize("name", ["Clickstream", "cs", "a" * 25, "click-stream"])
def test_storage_account_name_follows_azure_rules(deploy, name):
    assert config_error(deploy, set={"storageAccountName": name}).key == "storageAccountName"


@pytest.mark.parametrize("group", ["", " admins", "admins;drop", "-admins"])
def test_bad_group_name_is_rejected(deploy, group):
    error = config_error(deploy, set={"engineersGroup": group} if group else {"adminsGroup": "%"})
    assert error.key in ("engineersGroup", "adminsGroup")


def test_unknown_stack_setting_is_rejected(deploy):
    error = config_error(deploy, set={"storageAcountName": "x"})
    assert error.key == "storageAcountName" and "storageAccountName" in str(error)


def test_unknown_storage_sku_is_rejected(deploy):
    assert config_error(deploy, set={"storageSku": "Premium_LRS"}).key == "storageSku"


def test_unknown_trigger_is_rejected(deploy):
    assert config_error(deploy, set={"trigger": "hourly"}).key == "trigger"


def test_schedule_needs_a_cron(deploy):
    assert config_error(deploy, unset=("scheduleCron",)).key == "scheduleCron"


def test_unix_cron_is_rejected_as_not_quartz(deploy):
    assert config_error(deploy, set={"scheduleCron": "0 * * * *"}).key == "scheduleCron"


def test_bad_time_zone_is_rejected(deploy):
    assert config_error(deploy, set={"scheduleTimezone": "Mars/Olympus"}).key == "scheduleTimezone"


def test_bad_notification_email_is_rejected(deploy):
    error = config_error(deploy, set={"notificationEmails": '["ops-at-example.com"]'})
    assert error.key == "notificationEmails"


def test_development_must_be_a_boolean(deploy):
    assert config_error(deploy, set={"development": "yes"}).key == "development"


def test_bad_catalog_name_is_rejected(deploy):
    assert config_error(deploy, set={"catalogName": "Click-Stream"}).key == "catalogName"


def test_raw_schema_must_differ_from_published_schema(deploy):
    error = config_error(deploy, set={"rawSchemaName": "clickstream_dlt"})
    assert error.key == "rawSchemaName"


def test_private_ip_in_firewall_list_is_rejected(deploy):
    error = config_error(deploy, set={"storageAllowedIps": '["10.0.0.0/8"]'})
    assert error.key == "storageAllowedIps"


def test_run_as_must_be_an_application_id(deploy):
    assert config_error(deploy, set={"pipelineRunAs": "bob"}).key == "pipelineRunAs"


def test_pii_key_in_plain_text_is_rejected(deploy):
    error = config_error(deploy, set={"piiHashKey": "k" * 40})
    assert error.key == "piiHashKey" and "--secret" in str(error)


def test_short_pii_key_is_rejected(deploy):
    error = config_error(deploy, set={"piiHashKey": "short"}, secrets=("piiHashKey",))
    assert error.key == "piiHashKey"


def test_plain_text_credential_in_stack_config_is_rejected(deploy):
    error = config_error(deploy, set={"databricks:token": "dapi123"})
    assert error.key == "databricks:token"


def test_missing_workspace_host_is_rejected(deploy):
    assert config_error(deploy, unset=("databricks:host",)).key == "databricks:host"


def test_workspace_host_may_come_from_the_environment(deploy, monkeypatch, env_host):
    monkeypatch.setenv("DATABRICKS_HOST", env_host)
    assert deploy(unset=("databricks:host",)).outputs["pipeline_id"]


def test_subscription_may_come_from_the_environment(deploy, monkeypatch, env_subscription):
    monkeypatch.setenv("ARM_SUBSCRIPTION_ID", env_subscription)
    assert deploy(unset=("azure-native:subscriptionId",)).outputs["pipeline_id"]


def test_bad_subscription_id_is_rejected(deploy):
    error = config_error(deploy, set={"azure-native:subscriptionId": "my-subscription"})
    assert error.key == "azure-native:subscriptionId"


def test_stack_config_is_frozen(deploy):
    from infra.config import StackConfig

    assert StackConfig.__dataclass_params__.frozen
    with pytest.raises(dataclasses.FrozenInstanceError):
        StackConfig.__setattr__(object.__new__(StackConfig), "location", "x")


def test_pulumi_yaml_documents_every_key_with_type_and_description():
    declared = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    for name, spec in declared.items():
        assert spec.get("type") and spec.get("description"), name


def test_a_setting_without_a_default_is_required(deploy):
    error = config_error(deploy, set={"catalogName": ""})
    assert error.key == "catalogName" and "required" in error.problem


def test_stack_files_hold_no_credentials():
    for stack in ("dev", "prod"):
        text = (REPO / f"Pulumi.{stack}.yaml").read_text().lower()
        assert "token" not in text and "secret" not in text and "password" not in text


@pytest.mark.parametrize("days", ["0", "-1", "thirty", "7.5", "1e3", "true", "٣"])
def test_raw_retention_days_must_be_a_positive_whole_number(deploy, days):
    error = config_error(deploy, set={"rawRetentionDays": days})
    assert error.key == "rawRetentionDays" and "positive whole number" in str(error)
