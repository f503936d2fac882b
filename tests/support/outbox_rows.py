"""Outbox rows for the integration tests: put one in, deliver against the fake Web API, read it back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.services import outbox
from bot.services.outbox import Pacer, deliver_due
from bot.slack.client import build_client
from bot.slack.delivery import SlackSender
from storage.models import OutboxMessage
from tests.support.fake_slack import FakeSlack

NOW = datetime.fromisoformat("2026-11-29T15:00:00+00:00")


def enqueue(
    sessions: sessionmaker[Session],
    key: str,
    *,
    channel: str = "C1",
    kind: str = "message",
    text: str | None = None,
    team_id: str = "T111",
) -> None:
    with sessions.begin() as session:
        outbox.enqueue(
            session, team_id=team_id, key=key, kind=kind, channel=channel, payload={"text": text or key}, now=NOW
        )


def deliver(
    sessions: sessionmaker[Session], fake: FakeSlack, *, now: datetime = NOW, pacer: Pacer | None = None
) -> outbox.DeliveryReport:
    client = build_client("xoxb-test-token", fake.url)
    return deliver_due(sessions, lambda _team: SlackSender(client), clock=lambda: now, pacer=pacer or Pacer(0))


def row(sessions: sessionmaker[Session], key: str) -> OutboxMessage:
    with sessions() as session:
        found = session.scalars(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        session.expunge(found)
        return found


def posted(fake: FakeSlack) -> list[str]:
    return [call.params["text"] for call in fake.calls_to("chat.postMessage")]


def claim_and_abandon(sessions: sessionmaker[Session], key: str, *, claimed_at: datetime) -> None:
    """What a process that died between claiming and recording leaves behind."""
    with sessions.begin() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.key == key)
            .values(state="sending", claimed_at=claimed_at, attempts=1)
        )


def history_with(fake: FakeSlack, messages: list[dict[str, Any]]) -> None:
    fake.responses["conversations.history"] = {"ok": True, "messages": messages, "has_more": False}
