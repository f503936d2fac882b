"""The app with trackers set up against the fake tracker servers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.server import http_app
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from tests.conftest import Clock, Scribe, settings_for
from tests.support.fake_slack import FakeSlack
from tests.support.fake_trackers import FakeTrackers
from tests.support.slack_requests import SlackRequests

JIRA_SECRET = "jira-webhook-secret"
GITHUB_SECRET = "github-webhook-secret"
LINEAR_SECRET = "linear-webhook-secret"


@pytest.fixture
def trackers() -> Iterator[FakeTrackers]:
    fake = FakeTrackers().start()
    fake.add_user("grace@example.com", jira="acc-grace", github="grace", linear="user-grace")
    yield fake
    wait_for_background()
    fake.stop()


def tracker_settings(trackers: FakeTrackers, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "jira_url": trackers.jira_url,
        "jira_email": "scribe@example.com",
        "jira_api_token": "jira-token",
        "jira_project": "OPS",
        "github_token": "github-token",
        "github_repo": trackers.repo,
        "github_api_url": trackers.github_api_url,
        "linear_api_key": "linear-key",
        "linear_team_id": "team-eng",
        "linear_api_url": trackers.linear_url,
        "tracker": "jira",
        "jira_webhook_secret": JIRA_SECRET,
        "github_webhook_secret": GITHUB_SECRET,
        "linear_webhook_secret": LINEAR_SECRET,
    }
    values.update(overrides)
    return values


def make_scribe(
    database_url: str,
    sessions: sessionmaker[Session],
    fake_slack: FakeSlack,
    clock: Clock,
    trackers: FakeTrackers,
    **overrides: Any,
) -> Scribe:
    fake_slack.users["U2"]["profile"] = {"email": "grace@example.com", "real_name": "Grace"}
    settings = settings_for(
        database_url,
        fake_slack,
        slack_client_id=fake_slack.client_id,
        slack_client_secret=fake_slack.client_secret,
        session_secret="test-session-secret",
        **tracker_settings(trackers, **overrides),
    )
    deps = Deps(settings=settings, sessions=sessions, clock=clock)
    wsgi = http_app(deps)
    return Scribe(
        SlackRequests(wsgi, response_url=fake_slack.respond_url()), fake_slack, sessions, clock, settings, deps, wsgi
    )


@pytest.fixture
def scribe(
    database_url: str,
    sessions: sessionmaker[Session],
    fake_slack: FakeSlack,
    clock: Clock,
    trackers: FakeTrackers,
    request: pytest.FixtureRequest,
) -> Iterator[Scribe]:
    """The app filing new items in the tracker an indirect parameter names (Jira by default);
    ``"<tracker>-polled"`` sets no webhook secrets, so the clock polls."""
    name: str | None = getattr(request, "param", "jira")
    tracker, _, polled = (name or "").partition("-")
    quiet = {f"{t}_webhook_secret": None for t in ("jira", "github", "linear")} if polled else {}
    app = make_scribe(database_url, sessions, fake_slack, clock, trackers, tracker=tracker or None, **quiet)
    yield app
    wait_for_background()
    app.deps.writes.close()
