"""Multi-workspace mode: Bolt's OAuth install, tokens per workspace, and the stores' tables."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.owed import deliver_outbox
from bot.services import outbox
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.background import wait_for_background
from bot.slack.client import build_client
from bot.slack.deps import Deps
from bot.slack.oauth import BOT_SCOPES, install_mode, missing_for_http
from bot.web import create_wsgi_app
from storage.models import Incident, OutboxMessage
from storage.schema import metadata
from tests.conftest import Clock, settings_for
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackRequests, event_callback

CLIENT_ID = "1111.2222"


@dataclass
class MultiWorkspace:
    slack: SlackRequests
    fake: FakeSlack
    sessions: sessionmaker[Session]
    deps: Deps
    wsgi: Any
    store: SQLAlchemyInstallationStore

    def install(self, team_id: str, token: str) -> None:
        self.store.save(
            Installation(
                app_id="A111",
                team_id=team_id,
                team_name=f"Team {team_id}",
                bot_token=token,
                bot_id=f"B{team_id}",
                bot_user_id=f"U{team_id}BOT",
                bot_scopes=list(BOT_SCOPES),
                user_id="U1",
                installed_at=datetime(2026, 11, 1, tzinfo=UTC).timestamp(),
            )
        )

    def get(
        self, path: str, query: dict[str, str] | None = None, cookie: str | None = None
    ) -> tuple[int, dict[str, str], str]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": urlencode(query or {}),
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "3000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(b""),
            "CONTENT_LENGTH": "0",
        }
        if cookie:
            environ["HTTP_COOKIE"] = cookie
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"] = int(status.split()[0])
            captured["headers"] = {}
            for key, value in headers:
                captured["headers"].setdefault(key.lower(), value)

        body = b"".join(self.wsgi(environ, start_response)).decode()
        return captured["status"], captured["headers"], body


def oauth_settings_for(database_url: str, fake: FakeSlack) -> Settings:
    return settings_for(
        database_url, fake, slack_bot_token=None, slack_client_id=CLIENT_ID, slack_client_secret="client-secret-value"
    )


def engine_of(sessions: sessionmaker[Session]) -> Engine:
    bind = sessions.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


@pytest.fixture
def multi(database_url: str, sessions: sessionmaker[Session], fake_slack: FakeSlack, clock: Clock) -> MultiWorkspace:
    settings = oauth_settings_for(database_url, fake_slack)
    deps = Deps(settings=settings, sessions=sessions, clock=clock)
    wsgi = create_wsgi_app(build_app(deps))
    return MultiWorkspace(
        SlackRequests(wsgi, response_url=fake_slack.respond_url()),
        fake_slack,
        sessions,
        deps,
        wsgi,
        SQLAlchemyInstallationStore(CLIENT_ID, engine_of(sessions)),
    )


def tokens_used(fake: FakeSlack, method: str) -> list[str]:
    return [call.headers.get("Authorization", "").removeprefix("Bearer ") for call in fake.calls_to(method)]


def test_a_migrated_database_holds_exactly_the_tables_the_slack_stores_define(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    engine = engine_of(sessions)
    stores = MetaData()
    for table in (
        *SQLAlchemyInstallationStore(CLIENT_ID, engine).metadata.tables.values(),
        *SQLAlchemyOAuthStateStore(60, engine).metadata.tables.values(),
    ):
        table.to_metadata(stores)
    assert set(stores.tables) <= set(metadata.tables)

    def only_the_stores_tables(name: str | None, kind: str, parent: dict[str, str | None]) -> bool:
        if kind == "schema":
            return True
        return (name if kind == "table" else parent.get("table_name")) in stores.tables

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": only_the_stores_tables}
        )
        differences = compare_metadata(context, stores)
    assert differences == []


def test_credentials_without_a_bot_token_choose_the_multi_workspace_mode(
    database_url: str, fake_slack: FakeSlack
) -> None:
    assert install_mode(oauth_settings_for(database_url, fake_slack)) == "oauth"
    assert install_mode(settings_for(database_url, fake_slack)) == "single"
    assert (
        install_mode(settings_for(database_url, fake_slack, slack_client_id=CLIENT_ID, slack_client_secret="s"))
        == "single"
    )


def test_serving_names_the_missing_variable_how_to_get_it_and_the_other_mode() -> None:
    assert missing_for_http(Settings(slack_bot_token="xoxb-1", slack_signing_secret="s")) is None
    assert missing_for_http(Settings(slack_client_id="1.2", slack_client_secret="c", slack_signing_secret="s")) is None
    nothing = missing_for_http(Settings())
    assert nothing is not None
    assert nothing.startswith("error: SLACK_BOT_TOKEN is not set. Set it to the Bot User OAuth Token")
    assert "set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET" in nothing
    no_secret = missing_for_http(Settings(slack_client_id="1.2", slack_client_secret="c"))
    assert no_secret is not None
    assert no_secret.startswith("error: SLACK_SIGNING_SECRET is not set. Set it to the Signing Secret")
    assert no_secret.endswith("Multi-workspace mode (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set) needs it too.")
    half = missing_for_http(Settings(slack_client_id="1.2", slack_signing_secret="s"))
    assert half is not None
    assert half.startswith("error: SLACK_BOT_TOKEN is not set.")
    assert "Only SLACK_CLIENT_ID is set" in half
    assert all("\n" not in message for message in (nothing, no_secret, half))


def test_a_workspace_installs_through_slack_install_and_its_events_then_use_its_own_token(
    multi: MultiWorkspace,
) -> None:
    status, headers, page = multi.get("/slack/install")
    assert status == 200
    authorize = next(part for part in page.split('"') if part.startswith("https://slack.com/oauth/v2/authorize"))
    query = parse_qs(urlparse(authorize.replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT_ID]
    assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
    state = query["state"][0]
    cookie = headers["set-cookie"].split(";")[0]
    assert state in cookie

    multi.fake.responses["oauth.v2.access"] = {
        "ok": True,
        "app_id": "A111",
        "authed_user": {"id": "U1"},
        "scope": ",".join(BOT_SCOPES),
        "token_type": "bot",
        "access_token": "xoxb-t222-token",
        "bot_user_id": "UBOT222",
        "team": {"id": "T222", "name": "Beta"},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    status, _, body = multi.get("/slack/oauth_redirect", {"code": "granted-code", "state": state}, cookie=cookie)
    assert status == 200, body
    [exchange] = multi.fake.calls_to("oauth.v2.access")
    assert exchange.params["code"] == "granted-code"

    assert multi.slack.command("start sev2 Beta outage", channel="C9", team_id="T222").status == 200
    assert "xoxb-t222-token" in tokens_used(multi.fake, "auth.test")
    response = multi.slack.event(
        event_callback(
            {"type": "message", "channel": "C9", "user": "U1", "text": "beta is down", "ts": "1764428400.000001"},
            team_id="T222",
        )
    )
    assert response.status == 200
    with multi.sessions() as session:
        assert session.scalars(select(Incident.team_id).where(Incident.channel_id == "C9")).all() == ["T222"]


def test_a_redirect_with_a_forged_state_installs_nothing(multi: MultiWorkspace) -> None:
    status, _, _ = multi.get(
        "/slack/oauth_redirect", {"code": "granted-code", "state": "made-up"}, cookie="slack-app-oauth-state=made-up"
    )
    assert status >= 400
    assert multi.fake.calls_to("oauth.v2.access") == []
    assert multi.store.find_bot(enterprise_id=None, team_id="T222") is None


def test_an_event_from_a_workspace_that_never_installed_gets_bolts_polite_answer_not_a_500(
    multi: MultiWorkspace,
) -> None:
    response = multi.slack.event(
        event_callback(
            {"type": "message", "channel": "C1", "user": "U1", "text": "hello", "ts": "1764428400.000001"},
            team_id="T404",
        )
    )
    assert response.status == 200
    assert "install" in response.body.lower()


def test_a_command_from_a_workspace_that_never_installed_is_answered_politely_through_its_response_url(
    multi: MultiWorkspace,
) -> None:
    form = {
        "team_id": "T404",
        "channel_id": "C1",
        "user_id": "U1",
        "command": "/incident",
        "text": "start sev1 Nobody home",
        "api_app_id": "A111",
        "response_url": multi.fake.url.replace("/api/", "/commands/T404/1/abc"),
        "trigger_id": "1.2.3",
    }
    response = multi.slack.request(urlencode(form), content_type="application/x-www-form-urlencoded")
    assert response.status == 200
    [answer] = [call for call in multi.fake.calls if call.method.startswith("/commands/")]
    assert "install" in str(answer.params).lower()
    with multi.sessions() as session:
        assert session.scalars(select(Incident)).all() == []


def test_the_outbox_sends_each_workspaces_posts_with_that_workspaces_token(multi: MultiWorkspace, clock: Clock) -> None:
    multi.install("T111", "xoxb-t111-token")
    multi.install("T222", "xoxb-t222-token")
    with multi.sessions.begin() as session:
        for team in ("T111", "T222", "T404"):
            outbox.enqueue(
                session,
                team_id=team,
                key=f"hello-{team}",
                kind="message",
                channel=f"C{team}",
                payload={"text": f"hi {team}"},
                now=clock(),
            )
    deliver_outbox(multi.deps, build_client(None, multi.fake.url), clock())
    posts = {call.params["text"]: call.headers["Authorization"] for call in multi.fake.calls_to("chat.postMessage")}
    assert posts == {"hi T111": "Bearer xoxb-t111-token", "hi T222": "Bearer xoxb-t222-token"}
    with multi.sessions() as session:
        states = dict(session.execute(select(OutboxMessage.team_id, OutboxMessage.state)).all())
        errors = dict(session.execute(select(OutboxMessage.team_id, OutboxMessage.last_error)).all())
    assert states == {"T111": "sent", "T222": "sent", "T404": "failed"}
    assert "has not installed" in str(errors["T404"])


def test_single_token_mode_still_sends_every_post_with_the_one_token(scribe: Any, clock: Clock) -> None:
    with scribe.sessions.begin() as session:
        outbox.enqueue(
            session, team_id="T111", key="one", kind="message", channel="C1", payload={"text": "one"}, now=clock()
        )
    deliver_outbox(scribe.deps, build_client("xoxb-test-token", scribe.fake.url), clock())
    assert tokens_used(scribe.fake, "chat.postMessage") == ["xoxb-test-token"]


def test_a_request_from_one_workspace_leaves_another_workspaces_stuck_post_to_the_clock(
    multi: MultiWorkspace, clock: Clock
) -> None:
    multi.install("T111", "xoxb-t111-token")
    multi.install("T222", "xoxb-t222-token")
    with multi.sessions.begin() as session:
        outbox.enqueue(
            session,
            team_id="T222",
            key="hello-T222",
            kind="message",
            channel="C9",
            payload={"text": "hi T222"},
            now=clock() - timedelta(hours=1),
        )
        session.execute(
            update(OutboxMessage).values(state="sending", claimed_at=clock() - timedelta(hours=1), attempts=1)
        )
    assert multi.slack.command("start sev2 Alpha outage", channel="C1", team_id="T111").status == 200
    wait_for_background()
    assert [call for call in multi.fake.calls_to("conversations.history") if call.params["channel"] == "C9"] == []
    with multi.sessions() as session:
        assert session.scalars(select(OutboxMessage.state)).one() == "sending"

    deliver_outbox(multi.deps, build_client(None, multi.fake.url), clock())
    lookups = [call for call in multi.fake.calls_to("conversations.history") if call.params["channel"] == "C9"]
    assert lookups
    assert {call.headers["Authorization"] for call in lookups} == {"Bearer xoxb-t222-token"}
    [post] = [call for call in multi.fake.calls_to("chat.postMessage") if call.params["channel"] == "C9"]
    assert (post.params["text"], post.headers["Authorization"]) == ("hi T222", "Bearer xoxb-t222-token")
    with multi.sessions() as session:
        assert session.scalars(select(OutboxMessage.state)).one() == "sent"
