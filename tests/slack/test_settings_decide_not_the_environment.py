"""Bolt reads ``SLACK_*`` variables on its own; only the settings may decide what the app does.

Each app here is built while the process environment holds ``SLACK_*`` values that contradict
its settings (another bot token, signing secret, client id, redirect URI, scopes …), the way a
deployment's environment holds them; requests must still be authorized as the settings say.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.server import http_app
from bot.settings import Settings
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from bot.slack.oauth import BOT_SCOPES, refused_configuration
from tests.conftest import Clock, settings_for
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackRequests, event_callback

CONTRADICTING = {
    "SLACK_BOT_TOKEN": "xoxb-from-the-environment",
    "SLACK_SIGNING_SECRET": "secret-from-the-environment",
    "SLACK_CLIENT_ID": "9999.8888",
    "SLACK_CLIENT_SECRET": "client-secret-from-the-environment",
    "SLACK_VERIFICATION_TOKEN": "verification-from-the-environment",
    "SLACK_SCOPES": "admin",
    "SLACK_USER_SCOPES": "admin,files:read",
    "SLACK_REDIRECT_URI": "https://elsewhere.example/callback",
    "SLACK_INSTALL_PATH": "/slack/install",
    "SLACK_REDIRECT_URI_PATH": "/slack/oauth_redirect",
}


@pytest.fixture
def contradicting_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in CONTRADICTING.items():
        monkeypatch.setenv(name, value)
    home = os.environ.get("HOME")
    yield
    assert os.environ.get("HOME") == home


def served(deps: Deps, fake: FakeSlack) -> SlackRequests:
    return SlackRequests(http_app(deps), response_url=fake.respond_url())


def test_the_bot_token_setting_authorizes_requests_whatever_slack_variables_the_environment_holds(
    contradicting_environment: None,
    database_url: str,
    sessions: sessionmaker[Session],
    fake_slack: FakeSlack,
    clock: Clock,
) -> None:
    settings = settings_for(
        database_url,
        fake_slack,
        slack_client_id=fake_slack.client_id,
        slack_client_secret=fake_slack.client_secret,
        session_secret="test-session-secret",
    )
    deps = Deps(settings=settings, sessions=sessions, clock=clock)
    try:
        slack = served(deps, fake_slack)
        answer = slack.command("start sev2 Checkout errors", channel="C42", user="U1")
        assert answer.status == 200
        assert "Checkout errors" in answer.body
        payload = event_callback({"type": "message", "channel": "C42", "user": "U1", "text": "p99 up", "ts": "1.5"})
        assert slack.event(payload).status == 200
        wait_for_background()
        with sessions() as session:
            assert session.execute(text("SELECT count(*) FROM incidents WHERE channel_id = 'C42'")).scalar() == 1
            assert session.execute(text("SELECT count(*) FROM messages WHERE ts = '1.5'")).scalar() == 1
        used = {call.headers.get("Authorization") for call in fake_slack.calls if call.method != "response_url"}
        assert used <= {"Bearer xoxb-test-token", None}
        assert "Bearer xoxb-test-token" in used
        status = slack.request("", content_type="text/plain", method="GET", path="/slack/install").status
        assert status == 404  # no install flow of Bolt's own, with files in the home directory
        assert os.environ["SLACK_CLIENT_ID"] == CONTRADICTING["SLACK_CLIENT_ID"]  # the environment is left as it was
    finally:
        wait_for_background()
        deps.writes.close()


def test_the_install_page_asks_for_the_settings_client_scopes_and_redirect_not_the_environments(
    contradicting_environment: None,
    database_url: str,
    sessions: sessionmaker[Session],
    fake_slack: FakeSlack,
    clock: Clock,
) -> None:
    settings = settings_for(
        database_url, fake_slack, slack_bot_token=None, slack_client_id="1111.2222", slack_client_secret="c"
    )
    deps = Deps(settings=settings, sessions=sessions, clock=clock)
    try:
        answer = served(deps, fake_slack).request("", content_type="text/plain", method="GET", path="/slack/install")
        assert answer.status == 200
        link = next(part for part in answer.body.split('"') if part.startswith("https://slack.com/oauth/v2/authorize"))
        query = parse_qs(urlparse(link.replace("&amp;", "&")).query)
        assert query["client_id"] == ["1111.2222"]
        assert query["scope"] == [",".join(BOT_SCOPES)]
        assert "redirect_uri" not in query
        assert query.get("user_scope", [""]) == [""]
    finally:
        deps.writes.close()


def test_a_signature_made_with_the_environments_secret_is_refused(
    contradicting_environment: None,
    database_url: str,
    sessions: sessionmaker[Session],
    fake_slack: FakeSlack,
    clock: Clock,
) -> None:
    deps = Deps(settings=settings_for(database_url, fake_slack), sessions=sessions, clock=clock)
    try:
        slack = SlackRequests(http_app(deps), secret=CONTRADICTING["SLACK_SIGNING_SECRET"])
        assert slack.command("start sev2 Spoofed", channel="C43").status == 401
    finally:
        deps.writes.close()


HTTP: dict[str, Any] = {"slack_bot_token": "xoxb-1", "slack_signing_secret": "s"}
SIGN_IN: dict[str, Any] = {"slack_client_id": "1.2", "slack_client_secret": "c", "session_secret": "long-random"}


@pytest.mark.parametrize(
    ("values", "socket", "names"),
    [
        ({**HTTP, "slack_client_id": "1.2"}, False, ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")),
        ({**HTTP, "slack_client_secret": "c"}, False, ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID")),
        ({**HTTP, "slack_client_id": "1.2", "slack_client_secret": "c"}, False, ("SCRIBE_SESSION_SECRET",)),
        ({**HTTP, "session_secret": "long-random"}, False, ("SCRIBE_SESSION_SECRET", "SLACK_CLIENT_ID")),
        ({"slack_signing_secret": "s"}, False, ("SLACK_BOT_TOKEN",)),
        ({"slack_bot_token": "xoxb-1"}, False, ("SLACK_SIGNING_SECRET",)),
        ({"slack_client_id": "1.2", "slack_client_secret": "c"}, False, ("SLACK_SIGNING_SECRET",)),
        ({"slack_app_token": "xapp-1", **SIGN_IN}, True, ("SLACK_BOT_TOKEN", "Socket Mode")),
        ({"slack_bot_token": "xoxb-1"}, True, ("SLACK_APP_TOKEN",)),
        (
            {"slack_app_token": "xapp-1", "slack_bot_token": "xoxb-1", "slack_client_id": "1.2"},
            True,
            ("SLACK_CLIENT_SECRET",),
        ),
    ],
)
def test_a_combination_of_settings_that_cannot_work_is_refused_in_one_line_naming_its_variables(
    values: dict[str, Any], socket: bool, names: tuple[str, ...]
) -> None:
    refused = refused_configuration(Settings(**values), socket=socket)
    assert refused is not None
    assert refused.startswith("error: ")
    assert "\n" not in refused
    assert all(name in refused for name in names)


@pytest.mark.parametrize(
    ("values", "socket"),
    [
        (HTTP, False),
        ({**HTTP, **SIGN_IN}, False),
        ({**HTTP, **SIGN_IN, "public_url": "https://scribe.example.com"}, False),
        ({"slack_signing_secret": "s", **SIGN_IN}, False),
        ({"slack_signing_secret": "s", "slack_client_id": "1.2", "slack_client_secret": "c"}, False),
        ({**HTTP, **SIGN_IN, "slack_app_token": "xapp-1"}, False),
        ({**HTTP, **SIGN_IN, "slack_app_token": "xapp-1"}, True),
        ({"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1"}, True),
    ],
)
def test_every_configuration_the_readme_documents_is_accepted(values: dict[str, Any], socket: bool) -> None:
    assert refused_configuration(Settings(**values), socket=socket) is None
