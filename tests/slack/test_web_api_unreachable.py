"""Recording does not need the Web API: the app is built, answers and stores with Slack's API
unreachable, and learns who it is (``auth.test``) once, off the request path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.server import http_app
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from tests.conftest import Clock, settings_for
from tests.e2e.test_cli import free_port
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackRequests, event_callback


class _Nowhere:
    """Stands in for FakeSlack where only its ``url`` is read: nothing listens there."""

    def __init__(self) -> None:
        self.url = f"http://127.0.0.1:{free_port()}/api/"


@pytest.fixture
def unreachable(database_url: str, sessions: sessionmaker[Session], clock: Clock) -> Iterator[SlackRequests]:
    settings = settings_for(database_url, _Nowhere())  # type: ignore[arg-type]
    deps = Deps(settings=settings, sessions=sessions, clock=clock)
    yield SlackRequests(http_app(deps), response_url=f"{settings.slack_api_url}respond/1")
    _drain_quietly()
    deps.writes.close()


def _drain_quietly() -> None:
    with suppress(Exception):  # work that needed Slack failed, as it must here; it waits in its queue
        wait_for_background()


def message(ts: str, *, user: str, text: str) -> dict[str, object]:
    return event_callback({"type": "message", "channel": "C42", "user": user, "text": text, "ts": ts, "event_ts": ts})


def count(sessions: sessionmaker[Session], sql: str) -> int:
    with sessions() as session:
        return int(session.execute(text(sql)).scalar() or 0)


def test_commands_are_answered_and_messages_stored_while_the_web_api_is_unreachable(
    unreachable: SlackRequests, sessions: sessionmaker[Session]
) -> None:
    answer = unreachable.command("start sev2 Checkout errors", channel="C42", user="U1")
    assert answer.status == 200
    assert "Checkout errors" in answer.body
    assert unreachable.event(message("1764428400.000100", user="U1", text="p99 at 4s")).status == 200
    assert unreachable.command("note rolled back the deploy", channel="C42", user="U1").status == 200
    _drain_quietly()
    assert count(sessions, "SELECT count(*) FROM incidents WHERE channel_id = 'C42'") == 1
    assert count(sessions, "SELECT count(*) FROM messages WHERE ts = '1764428400.000100'") == 1
    assert count(sessions, "SELECT count(*) FROM workspace_identities WHERE team_id = 'T111'") == 1


def test_the_bots_own_message_is_skipped_before_slack_has_ever_said_who_the_bot_is(
    unreachable: SlackRequests, sessions: sessionmaker[Session]
) -> None:
    assert unreachable.command("start sev2 Checkout errors", channel="C42", user="U1").status == 200
    assert unreachable.event(message("1764428400.000200", user="UBOT", text="my own post")).status == 200
    assert unreachable.event(message("1764428400.000300", user="U1", text="a person's")).status == 200
    _drain_quietly()
    stored = count(sessions, "SELECT count(*) FROM messages WHERE ts IN ('1764428400.000200', '1764428400.000300')")
    assert stored == 1
    assert count(sessions, "SELECT count(*) FROM messages WHERE ts = '1764428400.000300'") == 1


def test_the_workspace_is_asked_of_slack_once_and_no_request_asks_it_again(
    database_url: str, sessions: sessionmaker[Session], fake_slack: FakeSlack, clock: Clock
) -> None:
    deps = Deps(settings=settings_for(database_url, fake_slack), sessions=sessions, clock=clock)
    try:
        slack = SlackRequests(http_app(deps), response_url=fake_slack.respond_url())
        assert [call.method for call in fake_slack.calls] == ["auth.test"]
        for n in range(3):
            assert slack.event(message(f"1764428400.00040{n}", user="U1", text="hello")).status == 200
        assert slack.command("help", channel="C42").status == 200
        wait_for_background()
        assert [call.method for call in fake_slack.calls].count("auth.test") == 1
        with sessions() as session:
            row = session.execute(text("SELECT team_id, bot_user_id, bot_id FROM workspace_identities")).one()
        assert tuple(row) == ("T111", "UBOT", "BBOT")
        again = SlackRequests(http_app(deps), response_url=fake_slack.respond_url())  # another web process
        assert again.event(message("1764428400.000500", user="UBOT", text="my own post")).status == 200
        assert [call.method for call in fake_slack.calls].count("auth.test") == 1
    finally:
        wait_for_background()
        deps.writes.close()
