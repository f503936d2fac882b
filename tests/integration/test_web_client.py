"""The Web API client's retries against the fake Web API: a read is retried, a post never twice."""

from __future__ import annotations

from http.client import RemoteDisconnected

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.client import build_client, method_of, resending_is_unsafe
from bot.slack.history import patient_client
from tests.support.fake_slack import FakeSlack


def test_a_new_channel_whose_answer_was_lost_is_not_created_again_by_the_client(
    fake_slack: FakeSlack, slept: list[float]
) -> None:
    fake_slack.lose_answer("conversations.create")
    client = build_client("xoxb-test-token", fake_slack.url)
    with pytest.raises(RemoteDisconnected):
        client.conversations_create(name="inc-20261129-db-down")
    assert len(fake_slack.calls_to("conversations.create")) == 1
    assert [channel["name"] for channel in fake_slack.channels.values()] == ["inc-20261129-db-down"]
    assert slept == []


def test_a_post_whose_answer_was_lost_is_not_posted_again_by_the_client(
    fake_slack: FakeSlack, slept: list[float]
) -> None:
    fake_slack.lose_answer("chat.postMessage")
    client = build_client("xoxb-test-token", fake_slack.url)
    with pytest.raises(RemoteDisconnected):
        client.chat_postMessage(channel="C1", text="the draft")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert [message["text"] for message in fake_slack.posted("C1")] == ["the draft"]


@pytest.mark.parametrize("status", [500, 503])
def test_a_post_answered_5xx_after_slack_made_it_is_not_posted_again_by_the_client(
    fake_slack: FakeSlack, slept: list[float], status: int
) -> None:
    fake_slack.fail("chat.postMessage", status, after_effect=True)
    client = build_client("xoxb-test-token", fake_slack.url)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="the draft")
    assert raised.value.response.status_code == status
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert len(fake_slack.posted("C1")) == 1


def test_a_post_answered_429_is_sent_again_after_the_retry_after_and_posted_once(
    fake_slack: FakeSlack, slept: list[float]
) -> None:
    fake_slack.rate_limit("chat.postMessage", retry_after=4)
    client = build_client("xoxb-test-token", fake_slack.url)
    assert client.chat_postMessage(channel="C1", text="the draft")["ok"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert len(fake_slack.posted("C1")) == 1
    assert len(slept) == 1
    assert 4 <= slept[0] < 5


def test_a_read_answered_5xx_or_dropped_is_still_retried_by_the_client(
    fake_slack: FakeSlack, slept: list[float]
) -> None:
    fake_slack.fail("conversations.history", 503)
    fake_slack.lose_answer("users.info")
    client = build_client("xoxb-test-token", fake_slack.url)
    assert client.conversations_history(channel="C1")["ok"]
    assert client.users_info(user="U1")["user"]["id"] == "U1"
    assert len(fake_slack.calls_to("conversations.history")) == 2
    assert len(fake_slack.calls_to("users.info")) == 2
    assert len(slept) == 2


def test_the_backfills_patient_client_does_not_post_twice_either(fake_slack: FakeSlack, slept: list[float]) -> None:
    fake_slack.lose_answer("chat.postEphemeral")
    client = patient_client(build_client("xoxb-test-token", fake_slack.url))
    with pytest.raises(RemoteDisconnected):
        client.chat_postEphemeral(channel="C1", user="U1", text="Recorded 3 earlier messages")
    assert len(fake_slack.calls_to("chat.postEphemeral")) == 1
    fake_slack.rate_limit("conversations.history", retry_after=60, times=10)
    assert client.conversations_history(channel="C1")["ok"]
    assert len(fake_slack.calls_to("conversations.history")) == 11


def test_the_methods_that_would_post_twice_are_named_from_the_request_url() -> None:
    assert method_of("https://slack.com/api/chat.postMessage") == "chat.postMessage"
    assert method_of("http://127.0.0.1:9/api/files.completeUploadExternal?x=1") == "files.completeUploadExternal"
    unsafe = [
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "conversations.create",
        "files.upload",
        "files.completeUploadExternal",
    ]
    assert all(resending_is_unsafe(method) for method in unsafe)
    assert not any(
        resending_is_unsafe(method)
        for method in [
            "conversations.history",
            "users.info",
            "chat.update",
            "conversations.open",
            "files.getUploadURLExternal",
        ]
    )
