"""Connect to the Databricks workspace and turn SDK failures into one readable line.

Authentication is the SDK's own unified auth (``WorkspaceClient``): DATABRICKS_HOST plus
DATABRICKS_TOKEN, a ``~/.databrickscfg`` profile, the Azure CLI, a service principal or OIDC.
This module only adds short timeouts, so that no credentials or no network fails in seconds.
"""

from __future__ import annotations

from collections.abc import Callable

import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config
from databricks.sdk.errors import DatabricksError, NotFound, PermissionDenied, Unauthenticated

# The SDK defaults (60 s per request, 300 s of retries) make an unreachable host look like a hang.
# While following an update, pipeline_updates.follow rides out longer outages poll by poll.
HTTP_TIMEOUT_SECONDS = 15
RETRY_TIMEOUT_SECONDS = 3
# Config() probes the host's /.well-known/databricks-config before resolving credentials; the
# probe is optional (the SDK falls back on failure), so it gets a single attempt.
PROBE_RETRY_SECONDS = 1

AUTH_HELP = (
    "set DATABRICKS_HOST and DATABRICKS_TOKEN, pass --profile NAME (a ~/.databrickscfg profile), "
    "or run `az login` and set DATABRICKS_HOST"
)

ClientFactory = Callable[..., WorkspaceClient]


class WorkspaceError(Exception):
    """Talking to the workspace failed; the message is one line that says what to do."""


def make_client(**config) -> WorkspaceClient:
    """A WorkspaceClient with short timeouts; ``config`` holds the Config keys the user chose."""
    cfg = Config(
        http_timeout_seconds=HTTP_TIMEOUT_SECONDS,
        retry_timeout_seconds=PROBE_RETRY_SECONDS,
        **config,
    )
    # The API client reads the retry budget when it is built, i.e. after the probe above.
    cfg.retry_timeout_seconds = RETRY_TIMEOUT_SECONDS
    return WorkspaceClient(config=cfg)


def connect(
    *,
    profile: str | None,
    fallback_host: Callable[[], str | None],
    factory: ClientFactory = make_client,
) -> WorkspaceClient:
    """Resolve credentials the Databricks way; the stack's host is used only if nothing else is.

    Passing a host to Config stops it from reading the DEFAULT profile, so the stack's host is
    tried second, and only looked up (a pulumi call) when the first attempt found no host.
    """
    config = {"profile": profile} if profile else {}
    try:
        return factory(**config)
    except ValueError as first:
        if profile:
            reason = _first_sentence(first)
            raise WorkspaceError(f"Databricks profile '{profile}': {reason}") from first
        host = fallback_host()
        if not host:
            raise WorkspaceError(f"no Databricks credentials found: {AUTH_HELP}") from first
        try:
            return factory(host=host)
        except ValueError as second:
            raise WorkspaceError(
                f"no Databricks credentials for {host} (from the stack): set DATABRICKS_TOKEN, "
                "pass --profile NAME, or run `az login`"
            ) from second


def explain(exc: BaseException, host: str | None) -> str:
    """One line for an error raised while calling the workspace API."""
    where = host or "the workspace"
    if isinstance(exc, Unauthenticated):
        return f"{where} rejected the credentials ({_first_sentence(exc)}): {AUTH_HELP}"
    if isinstance(exc, PermissionDenied):
        return f"permission denied on {where}: {_first_sentence(exc)}"
    if isinstance(exc, NotFound):
        return f"not found on {where}: {_first_sentence(exc)} (was the stack deployed here?)"
    if isinstance(exc, DatabricksError):
        return f"Databricks API error: {_first_sentence(exc)}"
    if isinstance(exc, (TimeoutError, requests.ConnectionError, requests.Timeout)):
        return f"cannot reach {where} (network, proxy or DATABRICKS_HOST?)"
    if isinstance(exc, ValueError):  # credentials resolved late, e.g. an expired `az login`
        return f"Databricks authentication failed ({_first_sentence(exc)}): {AUTH_HELP}"
    return f"{type(exc).__name__}: {_first_sentence(exc)}"


def _first_sentence(exc: BaseException) -> str:
    # SDK messages append a long "Config: ... Env: ..." debug block after the first sentence.
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split(". Config:")[0].split(". Env:")[0].rstrip(".")
