"""Helpers for the tests of running an incident: commands at a moment, what was posted by key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import Entry
from tests.support.fake_slack import Call, FakeSlack
from tests.support.waiting import outbox_settled, wait_for


def say(scribe: Any, text: str, *, at: str | None = None, user: str = "U1", channel: str = "C1") -> dict[str, Any]:
    """``/incident TEXT`` typed at ``at`` (each command its own moment, so none is a repeat)."""
    if at is not None:
        scribe.clock.set(at)
    response = scribe.command(text, user=user, channel=channel)
    assert response.status == 200, response.body
    body: dict[str, Any] = response.json()
    return body


def key_of(call: Call) -> str:
    return str(((call.params.get("metadata") or {}).get("event_payload") or {}).get("key", ""))


def posts_keyed(fake: FakeSlack, prefix: str) -> list[Call]:
    return [call for call in fake.calls_to("chat.postMessage") if key_of(call).startswith(prefix)]


def settled(scribe: Any) -> None:
    wait_for(lambda: outbox_settled(scribe.sessions), what="the outbox to settle")


def notes(scribe: Any) -> list[str]:
    with scribe.sessions() as session:
        return list(session.scalars(select(Entry.text).where(Entry.kind == "note").order_by(Entry.id)))
