"""The outbox against the fake Web API: retried until it lands, paced, never sent twice."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.services import outbox
from bot.services.outbox import MAX_ATTEMPTS, STUCK_AFTER, Pacer, backoff, deliver_due
from bot.slack.client import build_client
from bot.slack.delivery import METADATA_EVENT, SlackSender
from storage.models import OutboxMessage
from tests.support.fake_slack import FakeSlack
from tests.support.outbox_rows import NOW, claim_and_abandon, deliver, enqueue, history_with, posted, row


def test_enqueueing_the_same_key_twice_keeps_one_post(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> None:
    with sessions.begin() as session:
        assert outbox.enqueue(
            session, team_id="T111", key="draft:1", kind="message", channel="C1", payload={"text": "a"}, now=NOW
        )
        assert not outbox.enqueue(
            session, team_id="T111", key="draft:1", kind="message", channel="C1", payload={"text": "b"}, now=NOW
        )
    deliver(sessions, fake_slack)
    assert posted(fake_slack) == ["a"]


def test_a_post_carries_its_outbox_key_in_message_metadata(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    enqueue(sessions, "nudge:7")
    deliver(sessions, fake_slack)
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.params["metadata"] == {"event_type": METADATA_EVENT, "event_payload": {"key": "nudge:7"}}
    sent = row(sessions, "nudge:7")
    assert sent.state == "sent"
    assert sent.sent_at == NOW
    assert sent.result is not None
    assert sent.result["ts"]


def test_a_429_is_retried_inside_the_call_after_the_retry_after_slack_asked_for(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, slept: list[float]
) -> None:
    fake_slack.fail("chat.postMessage", 429, headers={"Retry-After": "7"})
    enqueue(sessions, "draft:1")
    report = deliver(sessions, fake_slack)
    assert report.sent == 1
    assert report.retried == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert len(slept) == 1
    assert 7 <= slept[0] < 8
    assert row(sessions, "draft:1").state == "sent"
    assert [message["text"] for message in fake_slack.posted("C1")] == ["draft:1"]


def test_a_5xx_to_a_post_is_not_sent_again_inside_the_call_because_slack_may_have_made_it(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, slept: list[float]
) -> None:
    fake_slack.fail("chat.postMessage", 503)
    enqueue(sessions, "draft:1")
    assert deliver(sessions, fake_slack).retried == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert slept == []
    assert row(sessions, "draft:1").state == "pending"


def test_when_slack_keeps_failing_the_row_waits_for_a_later_pass_and_then_lands(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, slept: list[float]
) -> None:
    fake_slack.fail("chat.postMessage", 500, times=2)
    enqueue(sessions, "draft:1")
    assert deliver(sessions, fake_slack).retried == 1
    waiting = row(sessions, "draft:1")
    assert (waiting.state, waiting.attempts, waiting.not_before) == ("pending", 1, NOW + backoff(1))
    assert deliver(sessions, fake_slack, now=NOW + timedelta(seconds=10)).sent == 0
    assert deliver(sessions, fake_slack, now=NOW + backoff(1)).retried == 1
    assert deliver(sessions, fake_slack, now=NOW + backoff(1) + backoff(2)).sent == 1
    assert posted(fake_slack) == ["draft:1"] * 3
    assert row(sessions, "draft:1").state == "sent"


def test_a_ratelimited_error_in_a_200_answer_is_retried_on_a_later_pass(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", 200, body={"ok": False, "error": "ratelimited"})
    enqueue(sessions, "draft:1")
    assert deliver(sessions, fake_slack).retried == 1
    assert "ratelimited" in str(row(sessions, "draft:1").last_error)
    assert deliver(sessions, fake_slack, now=NOW + backoff(1)).sent == 1
    assert row(sessions, "draft:1").state == "sent"


def test_a_connection_error_is_retried_on_a_later_pass(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, slept: list[float]
) -> None:
    enqueue(sessions, "draft:1")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = build_client("xoxb-test-token", f"http://127.0.0.1:{port}/api/")  # nothing listens there
    report = deliver_due(sessions, lambda _team: SlackSender(client), clock=lambda: NOW, pacer=Pacer(0))
    assert report.retried == 1
    assert row(sessions, "draft:1").state == "pending"
    assert deliver(sessions, fake_slack, now=NOW + backoff(1)).sent == 1


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "token_revoked"]
)
def test_a_permanent_error_marks_the_row_failed_and_it_is_never_tried_again(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, error: str
) -> None:
    fake_slack.fail("chat.postMessage", 200, body={"ok": False, "error": error})
    enqueue(sessions, "draft:1")
    assert deliver(sessions, fake_slack).failed == 1
    failed = row(sessions, "draft:1")
    assert failed.state == "failed"
    assert error in str(failed.last_error)
    deliver(sessions, fake_slack, now=NOW + timedelta(days=1))
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 10)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_row_that_fails_every_time_is_given_up_after_the_last_attempt(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    fake_slack.responses["chat.postMessage"] = {"ok": False, "error": "ratelimited"}
    enqueue(sessions, "draft:1")
    now = NOW
    for _ in range(MAX_ATTEMPTS + 3):
        deliver(sessions, fake_slack, now=now)
        now += timedelta(hours=2)
    gave_up = row(sessions, "draft:1")
    assert (gave_up.state, gave_up.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(fake_slack.calls_to("chat.postMessage")) == MAX_ATTEMPTS


def test_two_deliverers_running_at_once_send_every_row_exactly_once(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    keys = [f"post:{n}" for n in range(30)]
    for key in keys:
        enqueue(sessions, key, channel=f"C{hash(key) % 5}")
    start = threading.Barrier(3)
    reports: list[outbox.DeliveryReport] = []

    def deliverer() -> None:
        start.wait()
        reports.append(deliver(sessions, fake_slack))

    threads = [threading.Thread(target=deliverer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(posted(fake_slack)) == sorted(keys)
    assert sum(report.sent for report in reports) == len(keys)
    with sessions() as session:
        assert set(session.scalars(select(OutboxMessage.state))) == {"sent"}


def test_posts_to_one_channel_are_paced_and_other_channels_are_not_held_up(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    moment = [100.0]
    sleeps: list[tuple[str, float]] = []

    def sleep(seconds: float) -> None:
        sleeps.append((posted(fake_slack)[-1], seconds))
        moment[0] += seconds

    for key, channel in [("a1", "C1"), ("a2", "C1"), ("b1", "C2"), ("a3", "C1")]:
        enqueue(sessions, key, channel=channel)
    deliver(sessions, fake_slack, pacer=Pacer(1.0, sleep=sleep, monotonic=lambda: moment[0]))
    assert posted(fake_slack) == ["a1", "a2", "b1", "a3"]
    assert sleeps == [("a1", 1.0), ("b1", 1.0)]


def test_the_pacer_waits_only_for_what_is_left_of_the_interval() -> None:
    moment = [0.0]
    sleeps: list[float] = []
    pacer = Pacer(1.0, sleep=sleeps.append, monotonic=lambda: moment[0])
    pacer.wait("C1")
    moment[0] = 0.4
    pacer.wait("C1")
    moment[0] = 5.0
    pacer.wait("C1")
    pacer.wait("C2")
    assert sleeps == [pytest.approx(0.6)]


def test_a_row_left_sending_by_a_crash_is_found_in_slack_by_its_metadata_and_not_sent_again(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    enqueue(sessions, "draft:1")
    claim_and_abandon(sessions, "draft:1", claimed_at=NOW)
    history_with(
        fake_slack,
        [
            {
                "ts": "1800000009.000100",
                "text": "draft:1",
                "metadata": {"event_type": METADATA_EVENT, "event_payload": {"key": "draft:1"}},
            }
        ],
    )
    report = deliver(sessions, fake_slack, now=NOW + STUCK_AFTER + timedelta(seconds=1))
    assert report.recovered == 1
    assert report.sent == 0
    assert posted(fake_slack) == []
    recovered = row(sessions, "draft:1")
    assert recovered.state == "sent"
    assert recovered.result == {"channel": "C1", "ts": "1800000009.000100"}
    [lookup] = fake_slack.calls_to("conversations.history")
    assert lookup.params["channel"] == "C1"
    assert lookup.params["include_all_metadata"] in (True, "true", "1")


def test_a_row_left_sending_that_never_reached_slack_is_sent_once_after_recovery(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    enqueue(sessions, "draft:1")
    claim_and_abandon(sessions, "draft:1", claimed_at=NOW)
    history_with(
        fake_slack,
        [
            {
                "ts": "1800000009.000100",
                "text": "someone else",
                "metadata": {"event_type": METADATA_EVENT, "event_payload": {"key": "draft:2"}},
            }
        ],
    )
    later = NOW + STUCK_AFTER + timedelta(seconds=1)
    report = deliver(sessions, fake_slack, now=later)
    assert report.recovered == 1
    assert report.sent == 1
    assert posted(fake_slack) == ["draft:1"]


def test_a_recent_claim_is_left_alone_because_its_process_may_still_be_sending(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    enqueue(sessions, "draft:1")
    claim_and_abandon(sessions, "draft:1", claimed_at=NOW)
    deliver(sessions, fake_slack, now=NOW + timedelta(minutes=1))
    assert fake_slack.calls_to("conversations.history") == []
    assert posted(fake_slack) == []
    assert row(sessions, "draft:1").state == "sending"


def test_a_crashed_upload_that_cannot_be_verified_is_marked_uncertain_and_never_resent(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    with sessions.begin() as session:
        outbox.enqueue(
            session,
            team_id="T111",
            key="file:1",
            kind="file",
            channel="C1",
            payload={"content": "# pm", "filename": "pm.md"},
            now=NOW,
        )
    claim_and_abandon(sessions, "file:1", claimed_at=NOW)
    report = deliver(sessions, fake_slack, now=NOW + STUCK_AFTER + timedelta(seconds=1))
    assert report.uncertain == 1
    deliver(sessions, fake_slack, now=NOW + timedelta(days=1))
    assert fake_slack.calls_to("files.getUploadURLExternal") == []
    assert row(sessions, "file:1").state == "uncertain"


def test_a_direct_message_opens_the_conversation_first(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> None:
    enqueue(sessions, "dm:1", kind="dm", channel="U2")
    deliver(sessions, fake_slack)
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.params["users"] == "U2"
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.params["channel"] == "DU2"


def test_a_bug_in_the_sender_does_not_leave_the_row_claimed(sessions: sessionmaker[Session]) -> None:
    class Broken:
        def send(self, item: outbox.OutboxItem) -> dict[str, Any]:
            raise RuntimeError("boom")

        def can_look_up(self, item: outbox.OutboxItem) -> bool:
            return True

        def find_delivered(self, item: outbox.OutboxItem) -> object:
            return outbox.UNKNOWN

    enqueue(sessions, "draft:1")
    assert deliver_due(sessions, lambda _team: Broken(), clock=lambda: NOW, pacer=Pacer(0)).retried == 1
    assert row(sessions, "draft:1").state == "pending"


def test_a_post_that_landed_although_slack_answered_5xx_is_not_sent_again_on_retry(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, slept: list[float]
) -> None:
    fake_slack.fail("chat.postMessage", 500, times=3)
    enqueue(sessions, "draft:1")
    assert deliver(sessions, fake_slack).retried == 1
    # The last of those attempts did reach the channel: Slack has it, with its outbox key.
    history_with(
        fake_slack,
        [
            {
                "ts": "1800000000.000100",
                "text": "draft",
                "metadata": {"event_type": "scribe_outbox", "event_payload": {"key": "draft:1"}},
            }
        ],
    )
    calls_before = len(fake_slack.calls_to("chat.postMessage"))
    report = deliver(sessions, fake_slack, now=NOW + backoff(1))
    assert report.recovered == 1
    assert report.sent == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == calls_before
    assert row(sessions, "draft:1").state == "sent"
    assert row(sessions, "draft:1").result == {"channel": "C1", "ts": "1800000000.000100"}
