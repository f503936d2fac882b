"""Shared fixtures: a fresh, migrated database per test, the fake Slack, a signed-request driver."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from slack_sdk.http_retry import builtin_handlers, handler
from sqlalchemy.orm import Session, sessionmaker

from bot.logs import HANDLER_NAME
from bot.server import http_app
from bot.settings import Settings
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from bot.slack.listeners.commands import DEFERRED
from bot.ui.refresher import wait_for_refreshes
from storage.migrate import upgrade_to_head
from storage.session import make_engine, make_session_factory
from tests.support.databases import copy_sqlite, server_url, temporary_postgres_database, truncate_all
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SIGNING_SECRET, Response, SlackRequests

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The captured Slack payloads and export kept beside the repository; tests that need them skip without them."""
    if not FIXTURES.is_dir():
        pytest.skip(f"the shared Slack fixtures are absent (expected beside the clone, at {FIXTURES})")
    return FIXTURES


@pytest.fixture(autouse=True)
def _logging_left_as_found() -> Iterator[None]:
    """A test that runs ``scribe`` in this process sets up logging; the next test starts as before."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for added in [h for h in root.handlers if h.get_name() == HANDLER_NAME and h not in before]:
        root.removeHandler(added)
    root.setLevel(level)


@pytest.fixture(scope="session")
def _migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite: a migrated template file. PostgreSQL: one migrated database for the session."""
    base = server_url()
    if base:
        with temporary_postgres_database(base) as url:
            upgrade_to_head(url)
            yield url
        return
    template = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{template}"
    upgrade_to_head(url)
    yield str(template)


@pytest.fixture
def database_url(_migrated_database: str, tmp_path: Path) -> str:
    if server_url():
        truncate_all(_migrated_database)
        return _migrated_database
    return copy_sqlite(Path(_migrated_database), tmp_path / "scribe.db")


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    wait_for_background()  # nothing may still be using the engine when it is closed
    wait_for_refreshes()
    engine.dispose()


class Clock:
    """A clock the tests set by hand; the app reads it wherever it needs ``now``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, iso: str) -> None:
        self.now = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 29, 15, 0, tzinfo=UTC))


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """What slack_sdk's retry handlers slept, without sleeping."""
    durations: list[float] = []
    fake_time = SimpleNamespace(sleep=durations.append)
    monkeypatch.setattr(builtin_handlers, "time", fake_time)
    monkeypatch.setattr(handler, "time", fake_time)
    return durations


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_user("U1", tz="Europe/Paris", name="Ada")
    fake.add_user("U2", tz="America/New_York", name="Grace")
    fake.add_user("U3", tz="Asia/Kolkata", name="Radia")
    yield fake
    wait_for_background()
    wait_for_refreshes()
    fake.stop()


@dataclass
class Scribe:
    """The whole app as Slack sees it, with the fake Web API and the database behind it."""

    slack: SlackRequests
    fake: FakeSlack
    sessions: sessionmaker[Session]
    clock: Clock
    settings: Settings
    deps: Deps
    wsgi: Any

    def command(self, text: str, **kwargs: Any) -> Response:
        """``/incident TEXT`` as the person finally sees it: the HTTP answer, or, when that
        answer said the command waits for Slack (their zone is not cached yet), what came
        afterwards through ``response_url`` (then as the body of a 200). It returns once the
        work that follows the answer is done."""
        seen = len(self.fake.calls_to("response_url"))
        response = self.slack.command(text, **kwargs)
        wait_for_background()  # what the command does after its answer is done before the next step
        if response.status != 200 or (response.json() or {}).get("text") != DEFERRED:
            return response
        later = self.fake.calls_to("response_url")[seen:]
        assert later, "the deferred command never answered through response_url"
        body = {k: v for k, v in later[-1].params.items() if k != "url"}
        return Response(200, {"content-type": "application/json"}, json.dumps(body))

    def answer(self, text: str, **kwargs: Any) -> dict[str, Any]:
        """The final answer's body (see :meth:`command`)."""
        response = self.command(text, **kwargs)
        assert response.status == 200, response.body
        body: dict[str, Any] = response.json()
        return body


def settings_for(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.url,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def scribe(database_url: str, sessions: sessionmaker[Session], fake_slack: FakeSlack, clock: Clock) -> Iterator[Scribe]:
    settings = settings_for(
        database_url,
        fake_slack,
        slack_client_id=fake_slack.client_id,
        slack_client_secret=fake_slack.client_secret,
        session_secret="test-session-secret",
    )
    deps = Deps(settings=settings, sessions=sessions, clock=clock)
    wsgi = http_app(deps)
    yield Scribe(
        SlackRequests(wsgi, response_url=fake_slack.respond_url()), fake_slack, sessions, clock, settings, deps, wsgi
    )
    # Work the app left running after its answers (lazy listeners, backfills) ends here,
    # before the fake Slack and the database go away.
    wait_for_background()
    deps.writes.close()
