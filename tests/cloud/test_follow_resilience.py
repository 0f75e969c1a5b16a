"""`clickstream-cloud run` keeps its word when the network or the login does not.

These tests run the real databricks-sdk WorkspaceClient against a local HTTP stub of the Pipelines
API (``pipelines_stub``); the SDK's retries and the follow loop share one fake clock.
"""

import pytest
from cloud_fakes import PIPELINE_ID, UPDATE_ID, flow_event, update_event
from databricks.sdk.credentials_provider import CliTokenSource
from pipelines_stub import CUT, DROP

from clickstream_cli.pipeline_updates import DRAIN_READS, OUTAGE_SECONDS, POLL_SECONDS, follow

URL = f"/#joblist/pipelines/{PIPELINE_ID}/updates/{UPDATE_ID}"
BAD_GATEWAY_BODIES = {
    "plain text": "upstream connect error or disconnect/reset before headers",
    "html": "<html><head><title>502 Bad Gateway</title></head></html>",
}


def script_run(stub, *, rows_per_event=100, events=6, page_size=None) -> None:
    """RUNNING then COMPLETED; bronze_events writes ``rows_per_event`` rows in each event."""
    stub.page_size = page_size
    running = [
        flow_event("bronze_events", "RUNNING", rows=rows_per_event, seq=i) for i in range(events)
    ]
    stub.states = ["RUNNING", "COMPLETED"]
    stub.batches = [
        running,
        [flow_event("bronze_events", "COMPLETED", seq=40), update_event("COMPLETED", seq=41)],
    ]


def rows_line(out: str) -> str:
    return next(line for line in out.splitlines() if "bronze_events" in line and "│" in line)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_answer_while_following_is_ridden_out(cli, stub, sdk_client, fake_time, status):
    script_run(stub)
    stub.fail("get_update", status, body=BAD_GATEWAY_BODIES["plain text"], times=3)

    result = cli("run", "--stack", "dev", client_factory=sdk_client, time=fake_time)

    assert result.exit_code == 0, result.err
    assert "600" in rows_line(result.out)


@pytest.mark.parametrize("body", BAD_GATEWAY_BODIES.values(), ids=BAD_GATEWAY_BODIES.keys())
def test_a_bad_gateway_on_the_event_log_is_ridden_out(cli, stub, sdk_client, fake_time, body):
    script_run(stub)
    stub.fail("events", 502, body=body)

    result = cli("run", "--stack", "dev", client_factory=sdk_client, time=fake_time)

    assert result.exit_code == 0, result.err
    assert "600" in rows_line(result.out)


@pytest.mark.parametrize("fault", [DROP, CUT])
def test_a_dropped_connection_while_following_is_ridden_out(
    cli, stub, sdk_client, fake_time, fault
):
    script_run(stub)
    # More drops than the SDK's own retries absorb, so the follow loop has to retry too.
    stub.fail("events", fault, times=8)

    result = cli("run", "--stack", "dev", client_factory=sdk_client, time=fake_time)

    assert result.exit_code == 0, result.err
    assert "600" in rows_line(result.out)


@pytest.mark.parametrize("page", [1, 2, 3])
def test_no_event_is_lost_or_counted_twice_whichever_page_fails(
    cli, stub, sdk_client, fake_time, page
):
    script_run(stub, page_size=2)
    stub.fail("events", 502, page=page, body="upstream connect error")

    result = cli("run", "--stack", "dev", client_factory=sdk_client, time=fake_time)

    assert result.exit_code == 0, result.err
    assert "600" in rows_line(result.out)


def test_totals_wait_for_the_updates_terminal_event(cli, stub, sdk_client, fake_time):
    stub.states = ["COMPLETED"]
    stub.batches = [
        [flow_event("bronze_events", "RUNNING", rows=300, seq=1)],
        [],  # the log trails the state
        [
            flow_event("bronze_events", "COMPLETED", rows=300, seq=2),
            update_event("COMPLETED", seq=3),
        ],
    ]

    result = cli("run", "--stack", "dev", client_factory=sdk_client, time=fake_time)

    assert result.exit_code == 0
    assert "600" in rows_line(result.out)
    assert "had not caught up" not in result.err


def test_a_log_that_never_shows_the_end_is_read_a_bounded_number_of_times(
    cli, stub, sdk_client, fake_time
):
    stub.states = ["COMPLETED"]
    stub.batches = [[flow_event("bronze_events", "COMPLETED", rows=10, seq=1)]]

    result = cli("run", "--stack", "dev", client_factory=sdk_client, time=fake_time)

    assert result.exit_code == 0
    assert result.sleeps == [POLL_SECONDS] * DRAIN_READS
    assert "had not caught up" in result.err and URL in result.err


def test_a_workspace_that_stays_down_ends_with_lost_track_after_the_stated_wait(
    cli, stub, sdk_client, fake_time
):
    script_run(stub)
    stub.fail("get_update", 502, body="upstream connect error", times=1000)

    result = cli("run", "--stack", "dev", client_factory=sdk_client, time=fake_time)

    assert result.exit_code == 3
    assert f"lost track of update {UPDATE_ID}" in result.err
    assert "continues" in result.err and URL in result.err
    assert "Traceback" not in result.err
    # docs/cloud-cli.md: OUTAGE_SECONDS, plus at most one poll of the SDK's own retries.
    assert OUTAGE_SECONDS <= sum(result.sleeps) <= OUTAGE_SECONDS + 30


def test_a_workspace_that_throttles_counts_the_sdks_own_waits(cli, stub, sdk_client, fake_time):
    script_run(stub)
    stub.fail("get_update", 429, body='{"error_code": "REQUEST_LIMIT_EXCEEDED"}', times=1000)

    result = cli("run", "--stack", "dev", client_factory=sdk_client, time=fake_time)

    assert result.exit_code == 3
    assert OUTAGE_SECONDS <= fake_time.now - 1_000_000 <= OUTAGE_SECONDS + 30


@pytest.mark.parametrize("status", [401, 403])
def test_a_token_refused_mid_follow_says_what_to_do_and_that_the_update_continues(
    cli, stub, sdk_client, fake_time, status
):
    script_run(stub)
    stub.fail(
        "get_update",
        status,
        body='{"error_code": "PERMISSION_DENIED", "message": "Invalid access token."}',
        times=1000,
    )

    result = cli("run", "--stack", "dev", client_factory=sdk_client, time=fake_time)

    assert result.exit_code == 3
    assert "Traceback" not in result.err
    assert "Invalid access token" in result.err
    assert "DATABRICKS_TOKEN" in result.err
    assert "continues" in result.err and URL in result.err
    assert "clickstream-cloud status --stack dev" in result.err


class ExpiringAzLogin:
    """A credentials strategy built on the SDK's own CliTokenSource, running a stand-in `az`.

    The first token it hands out has already expired, so the next request asks `az` again, which
    now fails the way `az account get-access-token` does once the login can no longer refresh.
    """

    def __init__(self, tmp_path):
        self.script = tmp_path / "az"  # only shell builtins: PATH is empty in these tests
        self.script.write_text(
            "#!/bin/sh\n"
            'if [ -e "$0.used" ]; then\n'
            '  echo "ERROR: AADSTS700082: The refresh token has expired." >&2\n'
            "  exit 1\n"
            "fi\n"
            ': > "$0.used"\n'
            'echo \'{"accessToken": "aad-token", "tokenType": "Bearer", '
            '"expiresOn": "2020-01-01 00:00:00"}\'\n'
        )
        self.script.chmod(0o755)

    def auth_type(self) -> str:
        return "azure-cli"

    def __call__(self, cfg):
        source = CliTokenSource([str(self.script)], "tokenType", "accessToken", "expiresOn")

        def headers() -> dict[str, str]:
            token = source.token()
            return {"Authorization": f"{token.token_type} {token.access_token}"}

        return headers


def test_an_az_login_that_can_no_longer_refresh_says_run_az_login(
    cli, stub, sdk_client, fake_time, tmp_path
):
    script_run(stub)
    login = ExpiringAzLogin(tmp_path)

    def client(**config):
        return sdk_client(token=None, credentials_strategy=login, **config)

    result = cli("run", "--stack", "dev", client_factory=client, time=fake_time)

    assert result.exit_code == 3
    assert "Traceback" not in result.err
    assert "cannot get access token" in result.err
    assert "run `az login`" in result.err
    assert "continues" in result.err and URL in result.err


def test_every_event_reaches_other_reports_once_and_in_order(stub, sdk_client, fake_time):
    script_run(stub, page_size=2)
    stub.fail("events", 502, page=2, body="upstream connect error")
    stub.fail("events", DROP, page=3, times=8)
    delivered: list[dict] = []

    follow(
        sdk_client(),
        PIPELINE_ID,
        UPDATE_ID,
        on_progress=lambda *_: None,
        on_events=delivered.extend,
        sleep=fake_time.sleep,
        clock=fake_time.time,
    )

    assert delivered == [event for batch in stub.batches for event in batch]
