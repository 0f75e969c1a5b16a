"""Connect to the Databricks workspace and turn SDK failures into one readable line.

Authentication is the SDK's own unified auth (``WorkspaceClient``): DATABRICKS_HOST plus
DATABRICKS_TOKEN, a ``~/.databrickscfg`` profile, the Azure CLI, a service principal or OIDC.
This module adds short timeouts, so that no credentials or no network fails in seconds, and sorts
the failures of a workspace call: transient (worth another try), refused or expired credentials,
or anything else.
"""

from __future__ import annotations

from collections.abc import Callable

import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config
from databricks.sdk.credentials_provider import DefaultCredentials
from databricks.sdk.errors import (
    DatabricksError,
    DeadlineExceeded,
    InternalError,
    NotFound,
    PermissionDenied,
    TemporarilyUnavailable,
    TooManyRequests,
    Unauthenticated,
)

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


class CredentialsError(Exception):
    """The credentials provider could not give a token for a request (e.g. `az login` expired)."""


class _CredentialsReporting:
    """The SDK's default credentials chain, whose per-request token failures are marked.

    The SDK calls a credentials provider for every request; when ``az account get-access-token``
    fails it raises ``IOError``, other providers ``ValueError``, and nothing tells them apart from
    other failures of the same types. Wrapping the provider gives them one type of their own.
    Network failures while fetching a token stay what they are (the SDK retries those).
    """

    def __init__(self, chain=None) -> None:
        self._chain = chain or DefaultCredentials()

    def auth_type(self) -> str:
        return self._chain.auth_type()

    def oauth_token(self, cfg: Config):
        return self._chain.oauth_token(cfg)

    def __call__(self, cfg: Config):
        provider = self._chain(cfg)

        def headers() -> dict[str, str]:
            try:
                return provider()
            except (requests.ConnectionError, requests.Timeout):
                raise
            except Exception as exc:
                raise CredentialsError(first_sentence(exc)) from exc

        return headers


def make_client(**config) -> WorkspaceClient:
    """A WorkspaceClient with short timeouts; ``config`` holds the Config keys the user chose."""
    config["credentials_strategy"] = _CredentialsReporting(config.get("credentials_strategy"))
    retry_timeout = config.pop("retry_timeout_seconds", RETRY_TIMEOUT_SECONDS)
    cfg = Config(
        http_timeout_seconds=HTTP_TIMEOUT_SECONDS,
        retry_timeout_seconds=PROBE_RETRY_SECONDS,
        **config,
    )
    # The API client reads the retry budget when it is built, i.e. after the probe above.
    cfg.retry_timeout_seconds = retry_timeout
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
            reason = first_sentence(first)
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


# What a workspace call may raise; anything else is a bug and keeps its traceback.
API_ERRORS = (DatabricksError, TimeoutError, requests.RequestException, CredentialsError)


def is_transient(exc: BaseException) -> bool:
    """Whether the same call may well succeed a little later.

    The SDK retries connection errors, timeouts, 429 and 503 itself, for its retry timeout, then
    raises ``TimeoutError``. Every 5xx counts here: 500 is ``InternalError``, 504
    ``DeadlineExceeded``, and 502 has no class of its own, so the SDK raises a bare
    ``DatabricksError`` (``errors/platform.py`` ``STATUS_CODE_MAPPING``). A body cut short is a
    ``requests`` error that is not a ``ConnectionError``.
    """
    if isinstance(exc, (TimeoutError, requests.RequestException)):
        return True
    transient = (InternalError, TemporarilyUnavailable, DeadlineExceeded, TooManyRequests)
    return isinstance(exc, transient) or type(exc) is DatabricksError


def is_refused_credentials(exc: BaseException) -> bool:
    """A 401/403 answer, or a credentials provider that could not give a token."""
    return isinstance(exc, (Unauthenticated, PermissionDenied, CredentialsError))


def explain(exc: BaseException, host: str | None) -> str:
    """One line for an error raised while calling the workspace API."""
    where = host or "the workspace"
    if isinstance(exc, Unauthenticated):
        return f"{where} rejected the credentials ({first_sentence(exc)}): {AUTH_HELP}"
    if isinstance(exc, CredentialsError):
        return f"no Databricks token could be had ({exc}): {AUTH_HELP}"
    if isinstance(exc, PermissionDenied):
        return f"permission denied on {where}: {first_sentence(exc)}"
    if isinstance(exc, NotFound):
        return f"not found on {where}: {first_sentence(exc)} (was the stack deployed here?)"
    if isinstance(exc, DatabricksError):
        return f"Databricks API error: {first_sentence(exc)}"
    if isinstance(exc, (TimeoutError, requests.ConnectionError, requests.Timeout)):
        return f"cannot reach {where} (network, proxy or DATABRICKS_HOST?)"
    return f"{type(exc).__name__}: {first_sentence(exc)}"


def first_sentence(exc: BaseException) -> str:
    """The message of an SDK error without the debug blocks the SDK appends to it."""
    # "Config: ... Env: ..." after a credentials error; a request log after an unparsable answer.
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for tail in (". Config:", ". Env:", ". This is likely a bug"):
        text = text.split(tail)[0]
    return text.rstrip(".")
