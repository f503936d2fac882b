"""Install into many workspaces with Bolt's OAuth flow, or run in one with a single bot token.

Single-token mode: SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET for HTTP). Every call uses it.
OAuth mode: SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET, no SLACK_BOT_TOKEN.
Bolt serves ``/slack/install`` and ``/slack/oauth_redirect``; each workspace's bot token is kept
by slack_sdk's SQLAlchemy installation store in our database (tables from our migrations,
storage/oauth_models.py) and looked up per request, and per outbox row by :func:`senders`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Literal

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.services.outbox import UNKNOWN, DeliveryError, OutboxItem, Sender
from bot.settings import MissingSetting, Settings
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
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
AUTH_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive"})
"""Slack refused the token itself: the workspace may have reinstalled (a new token)."""
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


def refused_configuration(settings: Settings, *, socket: bool) -> str | None:
    """None when the settings make a server that works whole; otherwise one line saying which
    variables do not go together and what to set. Checked before anything is served."""
    client_id, client_secret = bool(settings.slack_client_id), bool(settings.slack_client_secret)
    if client_id != client_secret:
        have, lack = (
            ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET") if client_id else ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID")
        )
        return (
            f"error: {have} is set without {lack}: Sign in with Slack and the multi-workspace install need both "
            "(Basic Information of your app at api.slack.com/apps); set both or neither."
        )
    if socket:
        if client_id and not settings.slack_bot_token:
            return (
                "error: SLACK_BOT_TOKEN is not set. Socket Mode serves one workspace with its bot token; "
                "the multi-workspace install (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET without a bot token) needs HTTP."
            )
        for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
            if not getattr(settings, name.lower()):
                return str(MissingSetting(name).code)
        return None  # the pages are served by the web process, checked with its own settings
    problem = missing_for_http(settings)
    if problem:
        return problem
    if settings.slack_bot_token and client_id and not settings.session_secret:
        return (
            "error: SCRIBE_SESSION_SECRET is not set. SLACK_CLIENT_ID and SLACK_CLIENT_SECRET beside SLACK_BOT_TOKEN "
            "turn on Sign in with Slack for /ui/, whose session cookie it signs: set it to a long random string "
            "(the same in every web process), or unset SLACK_CLIENT_ID and SLACK_CLIENT_SECRET."
        )
    if settings.session_secret and not client_id:
        return (
            "error: SCRIBE_SESSION_SECRET is set without SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: the /ui/ pages "
            "sign people in with Slack and need both (Basic Information of your app); set them, "
            "or unset SCRIBE_SESSION_SECRET."
        )
    return None


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
        user_scopes=[],
        redirect_uri=None,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
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
    the same base URL and retry handlers holding that workspace's bot token, kept for the life of
    this function's result. When Slack refuses that token (:data:`AUTH_ERRORS`: the workspace
    reinstalled, or removed the app), the client is dropped, and the call is made once more with
    the store's current token when it has another one."""
    if install_mode(deps.settings) == "single":
        return lambda _team: client
    store = installation_store(deps.settings, engine_of(deps))
    cache: dict[str, WebClient] = {}
    lock = threading.Lock()

    def current_token(team_id: str, refused: str) -> str | None:
        """The store's token for the workspace when it is not the one Slack refused."""
        with lock:
            if cache.get(team_id) is not None and cache[team_id].token == refused:
                del cache[team_id]
        try:
            token = bot_token(store, team_id)
        except NoInstallation:
            return None
        return None if token == refused else token

    def client_for(team_id: str) -> WebClient:
        with lock:
            known = cache.get(team_id)
        if known is not None:
            return known
        per_team = _StoreTokenClient(
            team_id, current_token, token=bot_token(store, team_id), base_url=client.base_url, timeout=client.timeout
        )
        per_team.retry_handlers = list(client.retry_handlers)
        with lock:
            return cache.setdefault(team_id, per_team)

    return client_for


class _StoreTokenClient(WebClient):
    """A workspace's client that, refused for its token, tries once more with the store's current one."""

    def __init__(self, team: str, current_token: Callable[[str, str], str | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._team = team
        self._current_token = current_token

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            if error.response.get("error") not in AUTH_ERRORS or self.token is None:
                raise
            fresh = self._current_token(self._team, self.token)
            if fresh is None:
                raise
            self.token = fresh
            return super().api_call(api_method, **kwargs)


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
