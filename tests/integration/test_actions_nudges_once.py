"""Each nudge is sent at most once: reruns, a crash mid-pass, a crash between sending and
recording, and two scheduler processes at once against the same database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services import followup, outbox
from bot.services.outbox import OutboxItem, Pacer
from bot.slack import action_blocks as blocks
from bot.slack.client import build_client
from bot.slack.delivery import SlackSender
from storage import actions as repo
from storage import followup_queries, people
from storage.action_models import ActionNudge
from storage.models import Incident, OutboxMessage
from tests.conftest import Scribe
from tests.support.action_items import add_item, at, outbox_settles, posts_with_key, run_jobs, start_incident, wait_for

__all__ = ["outbox_settles"]

ROOT = Path(__file__).resolve().parents[2]
POLICY = followup.NudgePolicy()


class Crash(BaseException):
    """The process dying: nothing after it runs, no except clause catches it."""


class CrashAfterSending:
    def __init__(self, inner: SlackSender) -> None:
        self.inner = inner

    def send(self, item: OutboxItem) -> dict[str, Any]:
        self.inner.send(item)
        raise Crash()

    def can_look_up(self, item: OutboxItem) -> bool:
        return self.inner.can_look_up(item)

    def find_delivered(self, item: OutboxItem) -> Any:
        return self.inner.find_delivered(item)


def slack_history_from_the_fake(scribe: Scribe) -> None:
    """conversations.history answers with what was really posted, metadata included, like Slack."""

    def history(params: dict[str, Any]) -> dict[str, Any]:
        posted = [
            c for c in scribe.fake.calls_to("chat.postMessage") if c.params.get("channel") == params.get("channel")
        ]
        messages = [
            {"ts": f"1800000{i:03d}.000100", "text": c.params.get("text"), "metadata": c.params.get("metadata")}
            for i, c in enumerate(posted)
        ]
        return {"ok": True, "messages": messages, "has_more": False}

    scribe.fake.responses["conversations.history"] = history


def item_due_friday(scribe: Scribe) -> int:
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Alert on queue depth")
    wait_for(lambda: posts_with_key(scribe.fake, f"assign:{item_id}:"), what="the assignment DM")
    return item_id


def test_a_crash_between_sending_and_recording_does_not_send_the_nudge_again(scribe: Scribe) -> None:
    item = item_due_friday(scribe)
    slack_history_from_the_fake(scribe)
    now = at("2026-12-04T16:00:00Z")
    followup.queue_due_nudges(
        scribe.sessions, now=now, policy=POLICY, render_dm=blocks.nudge_dm, render_escalation=blocks.escalation_post
    )
    client = build_client("xoxb-test-token", scribe.fake.url)
    with pytest.raises(Crash):
        outbox.deliver_due(
            scribe.sessions, lambda _team: CrashAfterSending(SlackSender(client)), clock=lambda: now, pacer=Pacer(0)
        )
    assert len(posts_with_key(scribe.fake, "nudge:")) == 1
    with scribe.sessions() as session:
        assert (
            session.scalar(select(OutboxMessage.state).where(OutboxMessage.key == f"nudge:{item}:due:2026-12-04"))
            == "sending"
        )

    run_jobs(scribe, "2026-12-04T16:10:00Z")  # the next pass, after the stuck-row delay
    assert [c.params["metadata"]["event_payload"]["key"] for c in posts_with_key(scribe.fake, "nudge:")] == [
        f"nudge:{item}:due:2026-12-04"
    ]
    with scribe.sessions() as session:
        assert (
            session.scalar(select(OutboxMessage.state).where(OutboxMessage.key == f"nudge:{item}:due:2026-12-04"))
            == "sent"
        )


def test_a_crash_in_the_middle_of_a_pass_claims_nothing_and_the_next_pass_sends_once(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe)
    first = add_item(scribe, "U1", "2026-12-04", "One")  # Paris
    second = add_item(scribe, "U3", "2026-12-04", "Two")  # Kolkata
    rendered: list[int] = []

    def render_then_die(nudge: followup.Nudge) -> dict[str, Any]:
        rendered.append(nudge.item.id)
        if len(rendered) == 2:
            raise Crash()
        return blocks.nudge_dm(nudge)

    with pytest.raises(Crash):
        followup.queue_due_nudges(
            scribe.sessions,
            now=at("2026-12-04T10:00:00Z"),
            policy=POLICY,
            render_dm=render_then_die,
            render_escalation=blocks.escalation_post,
        )
    with scribe.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ActionNudge)) == 0
    run_jobs(scribe, "2026-12-04T10:00:00Z")
    run_jobs(scribe, "2026-12-04T10:00:00Z")
    keys = [c.params["metadata"]["event_payload"]["key"] for c in posts_with_key(scribe.fake, "nudge:")]
    assert sorted(keys) == sorted([f"nudge:{first}:due:2026-12-04", f"nudge:{second}:due:2026-12-04"])


def many_open_items(scribe: Scribe, count: int) -> list[int]:
    now = at("2026-11-30T09:00:00Z")
    with scribe.sessions.begin() as session:
        incident = Incident(
            team_id="T111", channel_id="C1", title="Checkout errors", status="active", started_by="U1", started_at=now
        )
        session.add(incident)
        session.flush()
        ids = []
        for n in range(count):
            owner = f"U{100 + n}"
            people.remember_user(
                session, team_id="T111", user_id=owner, name=owner, tz="UTC", now=now + timedelta(days=10)
            )
            ids.append(
                repo.add_item(
                    session,
                    team_id="T111",
                    incident_id=incident.id,
                    owner_id=owner,
                    due=date(2026, 12, 4),
                    text=f"item {n}",
                    created_by="U1",
                    now=now,
                ).id
            )
    return ids


def test_two_scheduler_processes_at_once_send_each_nudge_once(scribe: Scribe, database_url: str) -> None:
    ids = many_open_items(scribe, 120)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": scribe.fake.url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "bot.cli", "jobs", "run", "--now", "2026-12-04T12:00:00Z"]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    sent = Counter(c.params["metadata"]["event_payload"]["key"] for c in posts_with_key(scribe.fake, "nudge:"))
    assert sent == Counter({f"nudge:{item}:due:2026-12-04": 1 for item in ids})
    with scribe.sessions() as session:
        states = Counter(session.scalars(select(OutboxMessage.state)))
    assert states == Counter({"sent": len(ids)})


def test_a_pass_that_read_before_another_committed_claims_nothing_the_other_claimed(
    scribe: Scribe, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = many_open_items(scribe, 5)
    now = at("2026-12-04T12:00:00Z")
    first = followup.queue_due_nudges(
        scribe.sessions, now=now, policy=POLICY, render_dm=blocks.nudge_dm, render_escalation=blocks.escalation_post
    )
    assert sorted(n.item.id for n in first) == ids
    monkeypatch.setattr(
        followup_queries, "sent_nudge_keys", lambda session: {}
    )  # as if read before the first pass committed
    second = followup.queue_due_nudges(
        scribe.sessions, now=now, policy=POLICY, render_dm=blocks.nudge_dm, render_escalation=blocks.escalation_post
    )
    assert second == []
    with scribe.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == len(ids)
        assert session.scalar(select(func.count()).select_from(ActionNudge)) == len(ids)
    client = build_client("xoxb-test-token", scribe.fake.url)
    outbox.deliver_due(scribe.sessions, lambda _team: SlackSender(client), clock=lambda: now, pacer=Pacer(0))
