"""Following an update: the event log folded into flow progress, each event read once."""

import pytest
import requests
from cloud_fakes import PIPELINE_ID, UPDATE_ID, flow_event, update_event
from databricks.sdk.errors import DatabricksError
from databricks.sdk.service.pipelines import GetUpdateResponse, UpdateInfo, UpdateInfoState

from clickstream_cli.event_log import EventFeed
from clickstream_cli.pipeline_updates import UpdateProgress, follow


def test_rows_written_add_up_over_micro_batches():
    progress = UpdateProgress(UPDATE_ID)

    for seq, rows in enumerate((100, 250, 50)):
        progress.apply(flow_event("bronze_events", "RUNNING", rows=rows, seq=seq))

    assert progress.flows["bronze_events"].rows_written == 400


def test_expectation_counts_add_up_per_rule():
    progress = UpdateProgress(UPDATE_ID)

    progress.apply(flow_event("silver_events", "RUNNING", expectations={"has_ts": (90, 10)}))
    progress.apply(flow_event("silver_events", "RUNNING", expectations={"has_ts": (40, 2)}, seq=1))

    count = progress.flows["silver_events"].expectations["has_ts"]
    assert (count.passed, count.failed) == (130, 12)


def test_flow_state_is_read_from_the_message_when_details_are_absent():
    progress = UpdateProgress(UPDATE_ID)
    event = {
        "id": "e1",
        "event_type": "flow_progress",
        "message": "Flow 'gold_sessions' has FAILED.",
    }

    progress.apply(event)

    assert progress.flows["gold_sessions"].status == "FAILED"


def test_update_level_error_explains_a_failure_without_a_failed_flow():
    progress = UpdateProgress(UPDATE_ID, state=UpdateInfoState.FAILED)
    progress.apply(
        {
            "id": "e1",
            "event_type": "update_progress",
            "level": "ERROR",
            "error": {"exceptions": [{"message": "Failed to resolve flow: 'silver_events'"}]},
        }
    )

    assert progress.failure_message() == "Failed to resolve flow: 'silver_events'"


def test_event_feed_delivers_each_event_once_across_reads(stub, sdk_client):
    first, second = flow_event("a", "RUNNING", seq=1), flow_event("a", "COMPLETED", seq=2)
    stub.batches = [[first], [second]]
    feed = EventFeed(sdk_client(), PIPELINE_ID, UPDATE_ID)

    reads = [feed.read(), feed.read(), feed.read()]

    assert reads == [[first], [second], []]


def test_event_feed_asks_only_for_this_update_and_newer_events(stub, sdk_client):
    stub.batches = [[flow_event("a", "RUNNING", seq=7)]]
    feed = EventFeed(sdk_client(), PIPELINE_ID, UPDATE_ID)

    feed.read()
    feed.read()

    first, second = (q for method, path, q in stub.requests if path.endswith("/events"))
    assert first["filter"] == [f"update_id = '{UPDATE_ID}'"]
    assert second["filter"] == [
        f"update_id = '{UPDATE_ID}' AND timestamp >= '2026-01-01T00:00:07.000Z'"
    ]
    assert first["order_by"] == ["timestamp asc"]


def test_event_feed_reads_every_page(stub, sdk_client):
    stub.page_size = 2
    events = [flow_event("a", "RUNNING", rows=1, seq=i) for i in range(5)]
    stub.batches = [events]

    assert EventFeed(sdk_client(), PIPELINE_ID, UPDATE_ID).read() == events


def test_a_read_that_fails_on_a_later_page_changes_nothing(stub, sdk_client):
    stub.page_size = 2
    events = [flow_event("a", "RUNNING", rows=1, seq=i) for i in range(5)]
    stub.batches = [events]
    stub.fail("events", 502, page=2, body="upstream connect error")
    feed = EventFeed(sdk_client(), PIPELINE_ID, UPDATE_ID)

    with pytest.raises(DatabricksError):
        feed.read()

    assert feed.read() == events


def test_the_feed_knows_when_the_updates_terminal_event_was_read(stub, sdk_client):
    stub.batches = [[flow_event("a", "COMPLETED", seq=1)], [update_event("FAILED", seq=2)]]
    feed = EventFeed(sdk_client(), PIPELINE_ID, UPDATE_ID)

    feed.read()
    ended_after_first = feed.ended
    feed.read()

    assert not ended_after_first
    assert feed.end_state == "FAILED"


def test_a_network_blip_while_following_is_ridden_out(workspace):
    completed = GetUpdateResponse(update=UpdateInfo(state=UpdateInfoState.COMPLETED))
    workspace.client.pipelines.get_update.side_effect = [requests.ConnectionError(), completed]
    workspace.client.api_client.do.return_value = {"events": [update_event("COMPLETED")]}
    sleeps = []

    progress = follow(
        workspace.client, PIPELINE_ID, UPDATE_ID, on_progress=lambda *_: None, sleep=sleeps.append
    )

    assert progress.succeeded
    assert sleeps == [5.0]
