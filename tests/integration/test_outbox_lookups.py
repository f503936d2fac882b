"""Answers lost after Slack made the post: the outbox looks it up in Slack, never posts twice,
and what it cannot look up is left 'uncertain' rather than sent again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.services import outbox
from bot.services.outbox import MAX_ATTEMPTS, backoff
from bot.slack.client import build_client
from bot.slack.delivery import LOOKUP_MAX_PAGES, LOOKUP_PAGE_SIZE
from tests.support.fake_slack import FakeSlack
from tests.support.outbox_rows import NOW, deliver, enqueue, row


def lose_the_answer(fake: FakeSlack, how: str, method: str = "chat.postMessage") -> None:
    if how == "connection dropped":
        fake.lose_answer(method)
    else:
        fake.fail(method, 500, after_effect=True)


def keyed(fake: FakeSlack, channel: str, key: str) -> list[dict[str, Any]]:
    return [m for m in fake.posted(channel) if (m.get("metadata") or {}).get("event_payload", {}).get("key") == key]


@pytest.mark.parametrize("how", ["connection dropped", "5xx after the post"])
def test_a_post_whose_answer_was_lost_after_slack_made_it_is_posted_once_and_recorded_with_slacks_ts(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, slept: list[float], how: str
) -> None:
    lose_the_answer(fake_slack, how)
    enqueue(sessions, "draft:1")
    assert deliver(sessions, fake_slack).retried == 1
    assert row(sessions, "draft:1").state == "pending"
    report = deliver(sessions, fake_slack, now=NOW + backoff(1))
    assert report.recovered == 1
    assert report.sent == 0
    [in_slack] = fake_slack.posted("C1")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    recorded = row(sessions, "draft:1")
    assert recorded.state == "sent"
    assert recorded.result == {"channel": "C1", "ts": in_slack["ts"]}
    assert deliver(sessions, fake_slack, now=NOW + timedelta(days=1)).sent == 0
    assert len(fake_slack.posted("C1")) == 1


def test_a_post_that_never_reached_slack_before_its_connection_failed_is_sent_on_the_next_pass(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", 503)  # answered without posting
    enqueue(sessions, "draft:1")
    deliver(sessions, fake_slack)
    assert deliver(sessions, fake_slack, now=NOW + backoff(1)).sent == 1
    assert len(keyed(fake_slack, "C1", "draft:1")) == 1
    [lookup] = fake_slack.calls_to("conversations.history")
    assert lookup.params["channel"] == "C1"


def test_the_lookup_pages_through_a_busy_channel_until_it_finds_the_key(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    fake_slack.lose_answer("chat.postMessage")
    enqueue(sessions, "draft:1")
    deliver(sessions, fake_slack)
    chatter = build_client("xoxb-test-token", fake_slack.url)
    for n in range(250):  # the incident channel keeps talking after the draft went out
        chatter.chat_postMessage(channel="C1", text=f"chatter {n}")
    assert deliver(sessions, fake_slack, now=NOW + backoff(1)).recovered == 1
    first, second = fake_slack.calls_to("conversations.history")
    assert "cursor" not in first.params
    assert second.params["cursor"] == "200"
    assert len(keyed(fake_slack, "C1", "draft:1")) == 1
    assert row(sessions, "draft:1").result == {"channel": "C1", "ts": keyed(fake_slack, "C1", "draft:1")[0]["ts"]}


def test_a_lookup_starts_shortly_before_the_row_was_created(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    fake_slack.lose_answer("chat.postMessage")
    enqueue(sessions, "draft:1")
    deliver(sessions, fake_slack)
    deliver(sessions, fake_slack, now=NOW + backoff(1))
    [lookup] = fake_slack.calls_to("conversations.history")
    assert NOW.timestamp() - 120 < float(lookup.params["oldest"]) < NOW.timestamp()


def test_more_history_than_a_lookup_reads_cannot_tell_and_the_post_is_not_resent(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    fake_slack.lose_answer("chat.postMessage")
    enqueue(sessions, "draft:1")
    deliver(sessions, fake_slack)
    fake_slack.history["C1"].extend(
        {"type": "message", "text": f"chatter {n}", "ts": f"1800001{n:04d}.000100"}
        for n in range(LOOKUP_PAGE_SIZE * LOOKUP_MAX_PAGES)
    )
    assert deliver(sessions, fake_slack, now=NOW + backoff(1)).uncertain == 1
    assert len(fake_slack.calls_to("conversations.history")) == LOOKUP_MAX_PAGES
    assert row(sessions, "draft:1").state == "uncertain"
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_dm_whose_answer_was_lost_is_found_in_the_dms_history_and_not_sent_again(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    fake_slack.lose_answer("chat.postMessage")
    enqueue(sessions, "nudge:1", kind="dm", channel="U2")
    deliver(sessions, fake_slack)
    assert deliver(sessions, fake_slack, now=NOW + backoff(1)).recovered == 1
    [in_slack] = fake_slack.posted("DU2")
    assert row(sessions, "nudge:1").result == {"channel": "DU2", "ts": in_slack["ts"]}
    assert [call.params["channel"] for call in fake_slack.calls_to("conversations.history")] == ["DU2"]


@pytest.mark.parametrize("error", ["missing_scope", "not_in_channel"])
def test_a_dm_slack_will_not_let_the_bot_look_up_is_uncertain_and_never_resent(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, error: str
) -> None:
    fake_slack.lose_answer("chat.postMessage")
    enqueue(sessions, "nudge:1", kind="dm", channel="U2")
    deliver(sessions, fake_slack)
    fake_slack.responses["conversations.history"] = {"ok": False, "error": error}
    assert deliver(sessions, fake_slack, now=NOW + backoff(1)).uncertain == 1
    for days in (1, 2):
        deliver(sessions, fake_slack, now=NOW + timedelta(days=days))
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert row(sessions, "nudge:1").state == "uncertain"


@pytest.mark.parametrize(
    "failure", [{"status": 503, "times": 3}, {"status": 200, "body": {"ok": False, "error": "ratelimited"}}]
)
def test_a_lookup_that_fails_leaves_the_post_waiting_to_be_looked_up_again_never_sent_blind(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, slept: list[float], failure: dict[str, Any]
) -> None:
    fake_slack.lose_answer("chat.postMessage")
    enqueue(sessions, "draft:1")
    deliver(sessions, fake_slack)
    fake_slack.fail("conversations.history", **failure)
    assert deliver(sessions, fake_slack, now=NOW + backoff(1)).retried == 1
    waiting = row(sessions, "draft:1")
    assert (waiting.state, waiting.attempts) == ("pending", 2)
    assert waiting.not_before == NOW + backoff(1) + backoff(2)
    assert "lookup failed" in str(waiting.last_error)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert deliver(sessions, fake_slack, now=waiting.not_before).recovered == 1
    assert row(sessions, "draft:1").state == "sent"
    assert len(fake_slack.posted("C1")) == 1


def test_a_lookup_that_never_succeeds_ends_uncertain_and_the_post_is_never_resent(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    fake_slack.lose_answer("chat.postMessage")
    enqueue(sessions, "draft:1")
    fake_slack.responses["conversations.history"] = {"ok": False, "error": "ratelimited"}
    now = NOW
    for _ in range(MAX_ATTEMPTS + 2):
        deliver(sessions, fake_slack, now=now)
        now += timedelta(hours=2)
    gave_up = row(sessions, "draft:1")
    assert (gave_up.state, gave_up.attempts) == ("uncertain", MAX_ATTEMPTS)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def file_row(sessions: sessionmaker[Session], key: str = "file:1") -> None:
    with sessions.begin() as session:
        outbox.enqueue(
            session,
            team_id="T111",
            key=key,
            kind="file",
            channel="C1",
            payload={"content": "# pm", "filename": "pm.md"},
            now=NOW,
        )


@pytest.mark.parametrize("how", ["connection dropped", "5xx after the post"])
def test_a_file_whose_answer_was_lost_is_uncertain_at_once_because_an_upload_cannot_be_looked_up(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, how: str
) -> None:
    lose_the_answer(fake_slack, how, "files.completeUploadExternal")
    file_row(sessions)
    assert deliver(sessions, fake_slack).uncertain == 1
    deliver(sessions, fake_slack, now=NOW + timedelta(days=1))
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1
    assert row(sessions, "file:1").state == "uncertain"


def test_a_file_slack_refused_before_sharing_it_is_uploaded_on_a_later_pass(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    fake_slack.fail("files.getUploadURLExternal", 200, body={"ok": False, "error": "ratelimited"})
    file_row(sessions)
    assert deliver(sessions, fake_slack).retried == 1
    assert deliver(sessions, fake_slack, now=NOW + backoff(1)).sent == 1
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1
    assert fake_slack.calls_to("conversations.history") == []
