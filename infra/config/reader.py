"""Typed, validated reads of stack settings; every failure is a ``ConfigError`` naming the key."""

from __future__ import annotations

import difflib
import json
import os
import re

import pulumi
from pulumi.runtime import config as runtime_config

from infra.config.keys import CREDENTIAL_KEYS, GUID, KEYS, PLACEHOLDER_GUID, PROJECT


class ConfigError(ValueError):
    """A stack setting is missing or invalid; the message names the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


def all_config_keys() -> set[str]:
    """Every config key the engine passed to this program (set explicitly or via the env)."""
    return set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())


def is_secret(full_key: str) -> bool:
    return runtime_config.is_config_secret(full_key) or (
        full_key in runtime_config.get_config_secret_keys_env()
    )


class Reader:
    """Typed access to the project namespace that turns every failure into a ConfigError."""

    def __init__(self) -> None:
        self._config = pulumi.Config(PROJECT)

    def raw(self, key: str) -> str | None:
        value = self._config.get(key)
        return None if value is None or value == "" else value

    def string(self, key: str) -> str:
        value = self.raw(key)
        if value is None:
            default = KEYS[key]
            if default is None:
                raise ConfigError(key, "is required but not set (pulumi config set " + key + ")")
            return default
        return value

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if value is None:
            raise ConfigError(key, "is required but not set (true or false)")
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            raise ConfigError(key, f"must be true or false, got {value!r}")
        return lowered == "true"

    def positive_integer(self, key: str) -> int:
        value = self.raw(key)
        if value is None:
            default = KEYS[key]
            if default is None:
                raise ConfigError(key, "is required but not set (a positive whole number)")
            value = str(default)
        text = value.strip()
        if not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
            raise ConfigError(key, f"must be a positive whole number, got {value!r}")
        return int(text)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if value is None:
            return tuple(KEYS[key])
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            raise ConfigError(key, f"must be a list of strings, got {value!r}") from None
        if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
            raise ConfigError(key, f"must be a list of strings, got {value!r}")
        return tuple(parsed)

    def secret(self, key: str) -> pulumi.Output[str]:
        return self._config.require_secret(key)


def one_of(key: str, value: str, allowed: tuple[str, ...] | frozenset[str]) -> str:
    if value not in allowed:
        hint = difflib.get_close_matches(value, list(allowed), n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        choices = ", ".join(sorted(allowed)) if len(allowed) <= 8 else "an Azure region name"
        raise ConfigError(key, f"must be {choices}; got {value!r}{suggestion}")
    return value


def matching(key: str, value: str, pattern: re.Pattern[str], rule: str) -> str:
    if not pattern.match(value):
        raise ConfigError(key, f"{rule}; got {value!r}")
    return value


def guid(key: str, value: str, what: str) -> str:
    """A GUID setting, lower-cased; the shipped all-zero placeholders are refused by name."""
    matching(key, value, GUID, f"must be {what} (a GUID)")
    if PLACEHOLDER_GUID.match(value):
        raise ConfigError(
            key,
            f"is still the placeholder {value!r} from the stack file: set {what} "
            f"(pulumi config set {key} <id>; docs/deploy.md, step 1)",
        )
    # Databricks answers with lower-cased application ids (the provider lower-cases them when it
    # reads permissions back), so an upper-case id in config would show as drift forever.
    return value.lower()


def check_unknown_keys() -> None:
    prefix = PROJECT + ":"
    for full_key in sorted(all_config_keys()):
        if full_key.startswith(prefix):
            key = full_key[len(prefix) :]
            if key not in KEYS:
                hint = difflib.get_close_matches(key, list(KEYS), n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                raise ConfigError(
                    key, f"is not a setting of this project (see Pulumi.yaml){suggestion}"
                )
        elif full_key in CREDENTIAL_KEYS and not is_secret(full_key):
            raise ConfigError(
                full_key,
                "is a credential in plain text; remove it and use the environment or OIDC",
            )


def from_config_or_env(key: str, env: str) -> str | None:
    namespace, name = key.split(":")
    value = pulumi.Config(namespace).get(name) or os.environ.get(env)
    return value.strip() if value else None
