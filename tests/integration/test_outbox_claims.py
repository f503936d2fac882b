"""Outbox claims: each dated when it is made, only its holder records the outcome, and a pass
for one workspace touches only that workspace's rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.services import outbox
from bot.services.outbox import STUCK_AFTER, Pacer, deliver_due
from bot.slack.client import build_client
from bot.slack.delivery import SlackSender
from storage import outbox as outbox_repo
from tests.support.fake_slack import FakeSlack
from tests.support.outbox_rows import NOW, claim_and_abandon, enqueue, row


def test_each_claim_is_dated_when_it_is_made_not_when_the_pass_began(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    for key in ("a", "b", "c"):
        enqueue(sessions, key, channel=f"C{key}")
    ticks = iter(NOW + timedelta(seconds=n) for n in range(100))
    client = build_client("xoxb-test-token", fake_slack.url)
    deliver_due(sessions, lambda _team: SlackSender(client), clock=lambda: next(ticks), pacer=Pacer(0))
    rows = [row(sessions, key) for key in ("a", "b", "c")]
    claimed = [r.claimed_at for r in rows if r.claimed_at is not None]
    assert len(claimed) == len(rows)
    assert NOW < claimed[0] < claimed[1] < claimed[2]
    assert all(r.claimed_at is not None and r.sent_at is not None and r.sent_at > r.claimed_at for r in rows)


def test_a_pass_for_a_given_moment_still_dates_each_claim_by_the_time_that_passed() -> None:
    moment = [100.0]
    clock = outbox.running_from(NOW, monotonic=lambda: moment[0])
    assert clock() == NOW
    moment[0] = 102.5
    assert clock() == NOW + timedelta(seconds=2.5)


class CannotTell:
    def send(self, item: outbox.OutboxItem) -> dict[str, Any]:
        raise AssertionError("a recovery never sends")

    def can_look_up(self, item: outbox.OutboxItem) -> bool:
        return True

    def find_delivered(self, item: outbox.OutboxItem) -> object:
        return outbox.UNKNOWN


class RecoveredWhileSending:
    """Sends; but while its call is out, another process takes the row for abandoned and
    recovers it (a pause longer than STUCK_AFTER: a stopped VM, a long GC)."""

    def __init__(self, inner: SlackSender, recover: Any) -> None:
        self.inner = inner
        self.recover = recover

    def send(self, item: outbox.OutboxItem) -> dict[str, Any]:
        self.recover()
        return self.inner.send(item)

    def can_look_up(self, item: outbox.OutboxItem) -> bool:
        return True

    def find_delivered(self, item: outbox.OutboxItem) -> object:
        return self.inner.find_delivered(item)


def test_a_finish_after_another_process_recovered_the_row_changes_nothing(
    sessions: sessionmaker[Session], fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    enqueue(sessions, "draft:1")
    later = NOW + STUCK_AFTER + timedelta(seconds=1)
    other: list[outbox.DeliveryReport] = []
    client = build_client("xoxb-test-token", fake_slack.url)
    sender = RecoveredWhileSending(
        SlackSender(client),
        lambda: other.append(deliver_due(sessions, lambda _team: CannotTell(), clock=lambda: later, pacer=Pacer(0))),
    )
    report = deliver_due(sessions, lambda _team: sender, clock=lambda: NOW, pacer=Pacer(0))
    assert other[0].uncertain == 1
    assert report.sent == 0
    assert report.lost_claims == 1
    kept = row(sessions, "draft:1")
    assert (kept.state, kept.sent_at, kept.result) == ("uncertain", None, None)
    assert "another process recovered it" in caplog.text


def test_a_recovery_that_finds_the_first_process_recorded_its_post_meanwhile_changes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    enqueue(sessions, "draft:1")
    with sessions.begin() as session:
        claimed = outbox_repo.claim(session, row(sessions, "draft:1").id, now=NOW)
        assert claimed is not None
        assert claimed.claim_token
        token = claimed.claim_token

    class SlowLookup(CannotTell):
        def find_delivered(self, item: outbox.OutboxItem) -> object:
            with sessions.begin() as session:  # the first process was only slow: it records its post
                assert outbox_repo.finish(
                    session,
                    item.id,
                    claim_token=token,
                    state="sent",
                    now=NOW,
                    result={"channel": "C1", "ts": "1800000001.000100"},
                )
            return None

    report = deliver_due(
        sessions, lambda _team: SlowLookup(), clock=lambda: NOW + STUCK_AFTER + timedelta(seconds=1), pacer=Pacer(0)
    )
    assert report.lost_claims == 1
    assert report.recovered == 0
    kept = row(sessions, "draft:1")
    assert kept.state == "sent"
    assert kept.result == {"channel": "C1", "ts": "1800000001.000100"}


def test_a_finish_under_an_old_claim_token_changes_nothing(sessions: sessionmaker[Session]) -> None:
    enqueue(sessions, "draft:1")
    message_id = row(sessions, "draft:1").id
    with sessions.begin() as session:
        first = outbox_repo.claim(session, message_id, now=NOW)
        assert first is not None
        old = first.claim_token
        assert outbox_repo.finish(session, message_id, claim_token=old, state="pending", now=NOW)
        second = outbox_repo.claim(session, message_id, now=NOW)
        assert second is not None
        assert second.claim_token != old
        assert not outbox_repo.finish(session, message_id, claim_token=old, state="sent", now=NOW, result={"ts": "1"})
    assert row(sessions, "draft:1").state == "sending"


def test_a_pass_for_one_workspace_leaves_another_workspaces_stuck_rows_alone(
    sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    for team in ("T111", "T222"):
        enqueue(sessions, f"draft:{team}", team_id=team)
        claim_and_abandon(sessions, f"draft:{team}", claimed_at=NOW)
    asked: list[str] = []

    def sender_for(team: str) -> outbox.Sender:
        asked.append(team)
        return CannotTell()

    later = NOW + STUCK_AFTER + timedelta(seconds=1)
    assert deliver_due(sessions, sender_for, clock=lambda: later, team_id="T111", pacer=Pacer(0)).uncertain == 1
    assert asked == ["T111"]
    assert (row(sessions, "draft:T111").state, row(sessions, "draft:T222").state) == ("uncertain", "sending")
    assert deliver_due(sessions, sender_for, clock=lambda: later, pacer=Pacer(0)).uncertain == 1
    assert asked == ["T111", "T222"]
