"""Read what a Pulumi stack knows about the deployed pipeline: its outputs and config.

Everything goes through the ``pulumi`` CLI (``pulumi stack output --json``), so any backend the
user is logged in to works. The subprocess runner is injectable for tests.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

PIPELINE_ID_OUTPUT = "pipeline_id"
PIPELINE_URL_OUTPUT = "pipeline_url"
DASHBOARD_URL_OUTPUT = "dashboard_url"
HOST_CONFIG_KEY = "databricks:host"
PULUMI_TIMEOUT_SECONDS = 60

Runner = Callable[..., subprocess.CompletedProcess]


class StackError(Exception):
    """The stack could not be read; the message is one line that says what to do."""


class PulumiStack:
    """One stack of the Pulumi project in (or above) the current directory."""

    def __init__(
        self, name: str, *, run: Runner = subprocess.run, timeout: float = PULUMI_TIMEOUT_SECONDS
    ):
        self.name = name
        self._run = run
        self._timeout = timeout
        self._outputs: dict | None = None

    def outputs(self) -> dict:
        """All stack outputs (secret values read as ``"[secret]"``)."""
        if self._outputs is None:
            out = self._pulumi(["stack", "output", "--json", "--stack", self.name])
            try:
                parsed = json.loads(out or "{}")
            except json.JSONDecodeError as exc:
                raise StackError(f"`pulumi stack output` returned invalid JSON: {exc}") from exc
            self._outputs = parsed if isinstance(parsed, dict) else {}
        return self._outputs

    def pipeline_id(self) -> str:
        value = self.outputs().get(PIPELINE_ID_OUTPUT)
        if not isinstance(value, str) or not value:
            raise StackError(
                f"stack '{self.name}' has no '{PIPELINE_ID_OUTPUT}' output: "
                f"deploy it first with `pulumi up --stack {self.name}`"
            )
        return value

    def dashboard_url(self) -> str | None:
        """The AI/BI dashboard's URL, or None for a stack deployed before it existed."""
        value = self.outputs().get(DASHBOARD_URL_OUTPUT)
        return value if isinstance(value, str) and value.startswith("https://") else None

    def databricks_host(self) -> str | None:
        """The workspace URL: from the ``pipeline_url`` output, else the stack's
        ``databricks:host`` config, else None."""
        url = urlsplit(str(self.outputs().get(PIPELINE_URL_OUTPUT) or ""))
        if url.scheme == "https" and url.netloc:
            return f"https://{url.netloc}"
        try:
            value = self._pulumi(["config", "get", HOST_CONFIG_KEY, "--stack", self.name]).strip()
        except StackError:
            return None  # the key is optional: a missing one is not an error
        return value or None

    def _pulumi(self, args: Sequence[str]) -> str:
        command = ["pulumi", *args]
        # No update check (a network call) and no stdin: a passphrase prompt must fail, not hang.
        env = {**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"}
        try:
            done = self._run(
                command,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=self._timeout,
                env=env,
                check=False,
            )
        except FileNotFoundError as exc:
            raise StackError(
                "the `pulumi` CLI is not on PATH: install the Pulumi CLI to read stack outputs"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise StackError(
                f"`pulumi {args[0]} {args[1]}` did not answer within {self._timeout:g}s: "
                "check `pulumi whoami` and PULUMI_CONFIG_PASSPHRASE"
            ) from exc
        if done.returncode != 0:
            raise StackError(self._explain_failure(done.stderr or done.stdout or ""))
        return done.stdout

    def _explain_failure(self, stderr: str) -> str:
        if "no stack named" in stderr:
            return f"unknown stack '{self.name}': `pulumi stack ls` lists this project's stacks"
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else "no error message"
        reason = reason.removeprefix("error: ")
        return f"pulumi failed for stack '{self.name}': {reason}"
