"""Following an update: the event log folded into flow progress, read once per event."""

import requests
from cloud_fakes import PIPELINE_ID, UPDATE_ID, flow_event
from databricks.sdk.service.pipelines import GetUpdateResponse, UpdateInfo, UpdateInfoState

from clickstream_cli.pipeline_updates import EventFeed, UpdateProgress, follow


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


def test_event_feed_yields_each_event_once_across_polls(workspace):
    first, second = flow_event("a", "RUNNING", seq=1), flow_event("a", "COMPLETED", seq=2)
    workspace.client.api_client.do.side_effect = [{"events": [first]}, {"events": [first, second]}]
    feed = EventFeed(workspace.client, PIPELINE_ID, UPDATE_ID)

    polls = [list(feed.new_events()), list(feed.new_events())]

    assert polls == [[first], [second]]


def test_event_feed_asks_only_for_this_update_and_newer_events(workspace):
    workspace.client.api_client.do.side_effect = [
        {"events": [flow_event("a", "RUNNING", seq=7)]}
    ] * 2
    feed = EventFeed(workspace.client, PIPELINE_ID, UPDATE_ID)

    list(feed.new_events())
    list(feed.new_events())

    first, second = (call.kwargs["query"] for call in workspace.client.api_client.do.call_args_list)
    assert first["filter"] == f"update_id = '{UPDATE_ID}'"
    assert (
        second["filter"] == f"update_id = '{UPDATE_ID}' AND timestamp >= '2026-01-01T00:00:07.000Z'"
    )
    assert first["order_by"] == ["timestamp asc"]


def test_event_feed_follows_page_tokens(workspace):
    a, b = flow_event("a", "RUNNING", seq=1), flow_event("b", "RUNNING", seq=2)
    workspace.client.api_client.do.side_effect = [
        {"events": [a], "next_page_token": "t2"},
        {"events": [b]},
    ]

    events = list(EventFeed(workspace.client, PIPELINE_ID, UPDATE_ID).new_events())

    assert events == [a, b]
    last_query = workspace.client.api_client.do.call_args_list[1].kwargs["query"]
    assert last_query == {"page_token": "t2", "max_results": 100}


def test_a_network_blip_while_following_is_ridden_out(workspace):
    completed = GetUpdateResponse(update=UpdateInfo(state=UpdateInfoState.COMPLETED))
    workspace.client.pipelines.get_update.side_effect = [requests.ConnectionError(), completed]
    workspace.client.api_client.do.return_value = {"events": []}
    sleeps = []

    progress = follow(
        workspace.client, PIPELINE_ID, UPDATE_ID, on_progress=lambda *_: None, sleep=sleeps.append
    )

    assert progress.succeeded
    assert sleeps == [5.0]
