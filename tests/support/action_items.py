"""Helpers for the action-item scenario tests: commands, clicks, scheduler runs, what was posted."""

from __future__ import annotations

import dataclasses
import itertools
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import and_, func, or_, select

from bot.jobs import run_due
from bot.slack.background import wait_for_background
from bot.slack.client import build_client
from bot.slack.deps import Deps
from storage.models import OutboxMessage
from tests.support.fake_slack import Call, FakeSlack
from tests.support.slack_requests import event_callback

TRIGGER = "13345224609.738474920.8088930838d88f008e0"


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)


def wait_for(check: Callable[[], Any], *, what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def command(
    scribe: Any, text: str, *, user: str = "U1", channel: str = "C1", team_id: str | None = None
) -> dict[str, Any]:
    """What the person finally sees (a command waiting for their zone answers after the lookup)."""
    answer: dict[str, Any] = scribe.answer(text, user=user, channel=channel, team_id=team_id)
    return answer


def start_incident(scribe: Any, *, channel: str = "C1", user: str = "U1", title: str = "Checkout errors") -> None:
    assert "started incident" in command(scribe, f"start sev2 {title}", user=user, channel=channel)["text"]


def add_item(scribe: Any, owner: str, due: str, text: str, *, user: str = "U1", channel: str = "C1") -> int:
    reply = command(scribe, f"action <@{owner}> {due} {text}", user=user, channel=channel)
    assert "added action item" in reply["text"], reply["text"]
    return int(reply["text"].split("*#", 1)[1].split("*", 1)[0])


def keys_posted(fake: FakeSlack) -> list[str]:
    """The outbox key of every chat.postMessage the fake received, in order."""
    return [
        ((call.params.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        for call in fake.calls_to("chat.postMessage")
    ]


def posts_with_key(fake: FakeSlack, prefix: str) -> list[Call]:
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if ((call.params.get("metadata") or {}).get("event_payload") or {}).get("key", "").startswith(prefix)
    ]


def run_jobs(scribe: Any, iso: str, **settings: Any) -> list[str]:
    """``scribe jobs run --now ISO`` in process, against the fake Web API."""
    scribe.clock.set(iso)
    deps = scribe.deps
    if settings:
        deps = Deps(
            settings=dataclasses.replace(scribe.settings, **settings), sessions=scribe.sessions, clock=scribe.clock
        )
    return run_due(deps, build_client(scribe.settings.slack_bot_token, scribe.fake.url), scribe.clock())


def click(
    scribe: Any,
    action_id: str,
    item_id: int,
    *,
    user: str = "U2",
    container: dict[str, Any] | None = None,
    team_id: str = "T111",
) -> Any:
    payload = click_payload(
        action_id, item_id, user=user, container=container, team_id=team_id, response_url=scribe.fake.url + "response"
    )
    response = scribe.slack.action(payload)
    assert response.status == 200, response.body
    wait_for_background()  # what the click changes in Slack (the DM, the Home tab) follows the answer
    return response


def click_payload(
    action_id: str,
    item_id: int,
    *,
    user: str = "U2",
    container: dict[str, Any] | None = None,
    team_id: str = "T111",
    response_url: str,
) -> dict[str, Any]:
    """A button of an action item's message (or of the Home tab, for a ``view`` container), clicked."""
    payload = {
        "type": "block_actions",
        "token": "legacy",
        "api_app_id": "A111",
        "team": {"id": team_id, "domain": "acme"},
        "user": {"id": user, "team_id": team_id},
        "trigger_id": TRIGGER,
        "container": container or {"type": "message", "channel_id": f"D{user}", "message_ts": "1800000001.000100"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": f"item_{item_id}",
                "value": str(item_id),
                "action_ts": "1800000002.0",
            }
        ],
    }
    if (container or {}).get("type") == "view":
        payload.pop("response_url")
        payload["view"] = {"id": "VHOME", "type": "home"}
    return payload


_view_ids = itertools.count(1)


def submit(
    scribe: Any,
    view: dict[str, Any],
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    user: str = "U2",
    team_id: str = "T111",
    view_id: str | None = None,
) -> Any:
    """Submit a modal (each call a new view id unless ``view_id`` repeats one), then wait for
    the work that follows the answer."""
    payload = {
        "type": "view_submission",
        "token": "legacy",
        "api_app_id": "A111",
        "team": {"id": team_id, "domain": "acme"},
        "user": {"id": user, "team_id": team_id},
        "trigger_id": TRIGGER,
        "view": {**view, "id": view_id or f"V{next(_view_ids)}", "state": {"values": values}},
    }
    response = scribe.slack.action(payload)
    wait_for_background()
    return response


def opened_view(fake: FakeSlack) -> dict[str, Any]:
    [call] = fake.calls_to("views.open")
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def home_opened(scribe: Any, user: str) -> Any:
    response = scribe.slack.event(event_callback(home_opened_event(user)))
    wait_for_background()  # the tab is published after the answer
    return response


def home_opened_event(user: str) -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": f"D{user}",
        "tab": "home",
        "event_ts": "1800000003.000100",
    }


@pytest.fixture(autouse=True)
def outbox_settles(scribe: Any) -> Iterator[None]:
    """Wait, after the test, for the posts Bolt's lazy listeners are delivering, so none is still
    in flight when the fake Slack and the database go away."""
    yield
    wait_for(lambda: _nothing_in_flight(scribe.sessions), what="the outbox to settle")


def _nothing_in_flight(sessions: Any) -> bool:
    with sessions() as session:
        in_flight = or_(
            and_(OutboxMessage.state == "pending", OutboxMessage.attempts == 0), OutboxMessage.state == "sending"
        )
        return not session.scalar(select(func.count()).select_from(OutboxMessage).where(in_flight))
