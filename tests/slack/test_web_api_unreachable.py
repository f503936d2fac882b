"""Recording does not need the Web API: the app is built, answers and stores with Slack's API
unreachable, and learns who it is (``auth.test``) once, off the request path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs import run_due
from bot.server import http_app
from bot.services.deferred import MAX_ATTEMPTS
from bot.slack.background import wait_for_background
from bot.slack.client import build_client
from bot.slack.deps import Deps
from tests.conftest import Clock, settings_for
from tests.e2e.test_cli import free_port
from tests.support.alert_senders import PD_SECRET, Senders, pagerduty_incident_event
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackRequests, event_callback


class _Nowhere:
    """Stands in for FakeSlack where only its ``url`` is read: nothing listens there."""

    def __init__(self) -> None:
        self.url = f"http://127.0.0.1:{free_port()}/api/"


@pytest.fixture
def unreachable_deps(database_url: str, sessions: sessionmaker[Session], clock: Clock) -> Iterator[Deps]:
    deps = Deps(settings=settings_for(database_url, _Nowhere()), sessions=sessions, clock=clock)  # type: ignore[arg-type]
    yield deps
    _drain_quietly()
    deps.writes.close()


@pytest.fixture
def unreachable(unreachable_deps: Deps) -> SlackRequests:
    url = unreachable_deps.settings.slack_api_url
    return SlackRequests(http_app(unreachable_deps), response_url=f"{url}respond/1")


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


def test_work_owed_to_slack_waits_however_long_the_web_api_is_unreachable_and_is_done_once_it_answers(
    unreachable: SlackRequests, unreachable_deps: Deps, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.set("2026-11-29T14:00:00Z")
    assert unreachable.command("start sev2 Checkout errors", channel="C42", user="U1").status == 200
    assert unreachable.command("mark resolved at 14:30 UTC", channel="C42", user="U1").status == 200
    _drain_quietly()
    nowhere = build_client("xoxb-test-token", unreachable_deps.settings.slack_api_url)
    nowhere.retry_handlers = []  # each call fails at once; what is counted is the clock's passes
    for hour in range(1, MAX_ATTEMPTS + 2):  # hours of the clock's passes with Slack unreachable
        clock.set(f"2026-11-29T{14 + hour:02d}:00:00Z")
        run_due(unreachable_deps, nowhere, clock())
    owed = "SELECT count(*) FROM deferred_work WHERE state = 'pending'"
    assert count(sessions, owed) >= 1
    assert count(sessions, "SELECT count(*) FROM deferred_work WHERE state = 'failed'") == 0
    fake = FakeSlack().start()
    try:
        clock.set("2026-11-29T21:00:00Z")
        back = Deps(settings=settings_for(unreachable_deps.settings.database_url, fake), sessions=sessions, clock=clock)
        for _ in range(2):
            run_due(back, build_client("xoxb-test-token", fake.url), clock())
        assert count(sessions, owed) == 0
        drafts = [call for call in fake.calls_to("chat.postMessage") if call.params.get("channel") == "C42"]
        assert len(drafts) == 1
        back.writes.close()
    finally:
        fake.stop()


def test_a_webhook_delivery_before_the_workspace_is_known_is_retried_and_stored_once_a_request_named_it(
    database_url: str, sessions: sessionmaker[Session], clock: Clock
) -> None:
    settings = settings_for(database_url, _Nowhere(), pagerduty_webhook_secret=(PD_SECRET,))  # type: ignore[arg-type]
    deps = Deps(settings=settings, sessions=sessions, clock=clock)
    try:
        wsgi = http_app(deps)
        senders = Senders(wsgi)
        delivery = pagerduty_incident_event(
            "incident.triggered", event_id="01EARLY", occurred_at="2026-12-02T13:50:07Z"
        )
        assert senders.pagerduty(delivery).status == 503
        slack = SlackRequests(wsgi, response_url=f"{settings.slack_api_url}respond/1")
        assert slack.event(message("1764428400.000600", user="U1", text="hello")).status == 200
        _drain_quietly()
        assert senders.pagerduty(delivery).status == 200
        assert count(sessions, "SELECT count(*) FROM alert_events WHERE team_id = 'T111'") == 1
    finally:
        _drain_quietly()
        deps.writes.close()
