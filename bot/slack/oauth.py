"""Install into many workspaces with Bolt's OAuth flow, or run in one with a single bot token.

Single-token mode: SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET for HTTP). Every call uses it.
OAuth mode: SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET, no SLACK_BOT_TOKEN.
Bolt serves ``/slack/install`` and ``/slack/oauth_redirect``; each workspace's bot token is kept
by slack_sdk's SQLAlchemy installation store in our database (tables from our migrations,
storage/oauth_models.py) and looked up per request, and per outbox row by :func:`senders`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.services.outbox import UNKNOWN, DeliveryError, OutboxItem, Sender
from bot.settings import MissingSetting, Settings
from bot.slack.client import build_client
from bot.slack.delivery import SlackSender
from bot.slack.deps import Deps

Mode = Literal["single", "oauth"]

BOT_SCOPES: tuple[str, ...] = (
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "chat:write",
    "commands",
    "users:read",
    "users:read.email",
    "reactions:read",
    "pins:read",
    "im:write",
    "im:history",
    "files:write",
    "channels:manage",
    "channels:join",
)
"""The bot scopes of manifest.yml; asked for when a workspace installs the app."""

STATE_EXPIRATION_SECONDS = 600
SINGLE_HTTP = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
OAUTH_HTTP = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET")


class NoInstallation(LookupError):
    """The workspace has not installed the app (or uninstalled it)."""


def install_mode(settings: Settings) -> Mode:
    """OAuth when the app's client credentials are set and no single bot token is."""
    if settings.slack_bot_token is None and settings.slack_client_id and settings.slack_client_secret:
        return "oauth"
    return "single"


def serves_one_workspace(settings: Settings) -> bool:
    return install_mode(settings) != "oauth"


def single_workspace_team(settings: Settings, client: WebClient) -> str | None:
    """The team id of the single-token install's workspace, asked of Slack (``auth.test``) once,
    when the web server starts: a webhook delivery names no workspace, and its answer must not
    wait for Slack. None with the multi-workspace install (each workspace has its own path)."""
    if install_mode(settings) != "single" or not settings.slack_bot_token:
        return None
    team_id = client.auth_test().get("team_id")
    return str(team_id) if team_id else None


def missing_for_http(settings: Settings) -> str | None:
    """None when HTTP serving is configured; otherwise a one-line message naming the first
    missing variable, how to get it, and the other mode."""
    if install_mode(settings) == "oauth":
        missing = [name for name in OAUTH_HTTP if not getattr(settings, name.lower())]
        if not missing:
            return None
        return (
            f"{MissingSetting(missing[0]).code} "
            "Multi-workspace mode (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set) needs it too."
        )
    missing = [name for name in SINGLE_HTTP if not getattr(settings, name.lower())]
    if not missing:
        return None
    partial = [name for name in OAUTH_HTTP[:2] if getattr(settings, name.lower())]
    other = (
        f"Only {partial[0]} is set: for multi-workspace installs set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET "
        "and SLACK_SIGNING_SECRET and leave SLACK_BOT_TOKEN unset."
        if partial
        else "To let workspaces install the app instead, "
        "set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET."
    )
    return f"{MissingSetting(missing[0]).code} {other}"


def engine_of(deps: Deps) -> Engine:
    bind = deps.sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("the session factory is not bound to an engine")
    return bind


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    """The store on our own tables; its create_tables() is never called (alembic owns them)."""
    if not settings.slack_client_id:
        raise ValueError("SLACK_CLIENT_ID is needed for the installation store")
    return SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)


def oauth_settings(settings: Settings, engine: Engine) -> OAuthSettings:
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installation_store(settings, engine),
        installation_store_bot_only=True,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
    )


def bot_token(store: SQLAlchemyInstallationStore, team_id: str) -> str:
    """The newest bot token of the workspace; NoInstallation when it has none."""
    bot = store.find_bot(enterprise_id=None, team_id=team_id)
    if bot is None or not bot.bot_token:
        raise NoInstallation(f"workspace {team_id} has not installed the app")
    return bot.bot_token


def clients(deps: Deps, client: WebClient) -> Callable[[str], WebClient]:
    """``client_for(team_id)``: the given client in single-token mode; in OAuth mode a client with
    the same base URL and retry handlers holding that workspace's bot token (cached per call of
    this function, so one scheduler pass reads each token once)."""
    if install_mode(deps.settings) == "single":
        return lambda _team: client
    store = installation_store(deps.settings, engine_of(deps))
    cache: dict[str, WebClient] = {}

    def client_for(team_id: str) -> WebClient:
        if team_id not in cache:
            per_team = build_client(bot_token(store, team_id), client.base_url)
            per_team.retry_handlers = list(client.retry_handlers)
            cache[team_id] = per_team
        return cache[team_id]

    return client_for


class _Uninstalled:
    """A sender for a workspace without a token: every send fails permanently (kept, logged)."""

    def __init__(self, team_id: str) -> None:
        self.team_id = team_id

    def send(self, item: OutboxItem) -> dict[str, Any]:
        raise DeliveryError(f"workspace {self.team_id} has not installed the app", retryable=False)

    def can_look_up(self, item: OutboxItem) -> bool:
        return False

    def find_delivered(self, item: OutboxItem) -> object:
        return UNKNOWN


def senders(deps: Deps, client: WebClient) -> Callable[[str], Sender]:
    """``sender_for(team_id)`` for the outbox, resolving tokens per workspace in OAuth mode."""
    client_for = clients(deps, client)

    def sender_for(team_id: str) -> Sender:
        try:
            return SlackSender(client_for(team_id))
        except NoInstallation:
            return _Uninstalled(team_id)

    return sender_for
