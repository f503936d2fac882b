"""Socket Mode runs the same app: commands, message capture and the same authorisation rules,
over a real websocket, with each envelope acknowledged only once it is handled."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import select

from bot.slack.app import build_app
from storage.action_models import ActionItem
from storage.models import Message
from storage.people import cached_user
from tests.conftest import Scribe
from tests.support.fake_socket_mode import FakeSocketMode
from tests.support.slack_requests import event_callback
from tests.support.waiting import wait_for

_ids = itertools.count(1)


@pytest.fixture
def socket(scribe: Scribe) -> Iterator[FakeSocketMode]:
    fake = FakeSocketMode().start()
    scribe.fake.responses["apps.connections.open"] = {"ok": True, "url": fake.url}
    handler = SocketModeHandler(build_app(scribe.deps), "xapp-1-A111-test")
    handler.connect()
    assert fake.connected.wait(10), "the app never opened the socket"
    yield fake
    handler.close()  # slack_sdk's client takes about 3 s to stop its threads
    fake.stop()


def zone_is_cached(scribe: Scribe, user_id: str) -> bool:
    with scribe.sessions() as session:
        return cached_user(session, "T111", user_id) is not None


def command(socket: FakeSocketMode, text: str, *, user: str = "U1", channel: str = "C1") -> dict[str, Any]:
    """A slash command as Socket Mode delivers it; returns what the app answered in its ack."""
    envelope_id = f"cmd-{next(_ids)}"
    socket.send(
        {
            "envelope_id": envelope_id,
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "token": "legacy",
                "team_id": "T111",
                "team_domain": "acme",
                "channel_id": channel,
                "channel_name": "incident",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/incident",
                "text": text,
                "api_app_id": "A111",
                "response_url": "https://hooks.slack.com/commands/T111/1/abc",
                "trigger_id": "13345224609.738474920.8088930838d88f008e0",
            },
        }
    )
    return socket.ack(envelope_id).get("payload") or {}


def test_a_command_over_the_socket_is_answered_in_its_acknowledgement(scribe: Scribe, socket: FakeSocketMode) -> None:
    reply = command(socket, "start sev2 Socket outage")
    assert "started incident" in reply["text"]
    assert "Socket outage" in command(socket, "status")["text"]
    assert [call.headers["Authorization"] for call in scribe.fake.calls_to("apps.connections.open")] == [
        "Bearer xapp-1-A111-test"
    ]


def test_a_message_event_over_the_socket_is_stored_before_it_is_acknowledged(
    scribe: Scribe, socket: FakeSocketMode
) -> None:
    command(socket, "start sev2 Socket outage")
    event = {
        "type": "message",
        "channel": "C1",
        "user": "U2",
        "text": "db primary failed over",
        "ts": "1764428400.000100",
        "event_ts": "1764428400.000100",
    }
    socket.send(
        {
            "envelope_id": "ev-1",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": event_callback(event),
        }
    )
    socket.ack("ev-1")
    with scribe.sessions() as session:
        assert session.scalars(select(Message.text)).all() == ["db primary failed over"]


def test_the_socket_applies_the_same_rule_on_who_may_change_an_action_item(
    scribe: Scribe, socket: FakeSocketMode
) -> None:
    command(socket, "start sev2 Socket outage")
    # The typist's zone is learnt after the answer to `start`; until it is cached, a command that
    # needs it is answered "looking up your timezone" and finished later, not in its ack.
    wait_for(lambda: zone_is_cached(scribe, "U1"), what="the typist's zone in the cache")
    added = command(socket, "action <@U2> 2026-12-04 Add an alert on replication lag")["text"]
    item = added.split("*#", 1)[1].split("*", 1)[0]
    refused = command(socket, f"done {item}", user="U9")["text"]
    assert "Only the owner of #" + item in refused
    assert "Only the owner" not in command(socket, f"done {item}", user="U2")["text"]
    with scribe.sessions() as session:
        assert session.scalar(select(ActionItem.status).where(ActionItem.id == int(item))) == "done"
