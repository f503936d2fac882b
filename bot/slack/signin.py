"""Sign in with Slack (OpenID Connect) and the channel lists the web pages' access rule needs,
through slack_sdk. The web pages (bot/ui) call these; nothing else there speaks Slack."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import OpenIDConnectAuthorizeUrlGenerator

from bot.services.channel_access import Standing
from bot.slack.client import build_client
from bot.slack.deps import Deps
from bot.slack.oauth import NoInstallation, clients

SCOPES = ("openid", "profile")
PAGE = 200


class SignInFailed(Exception):
    """Slack refused the code, or its answer is not one we can trust; the message says which."""


@dataclass(frozen=True)
class Identity:
    team_id: str
    user_id: str
    name: str | None
    nonce: str | None


def authorize_base(api_url: str) -> str:
    """Slack's authorize page sits beside its Web API: ``https://slack.com/api/`` →
    ``https://slack.com/openid/connect/authorize`` (and the same for GovSlack or a fake)."""
    root = api_url[: -len("api/")] if api_url.endswith("api/") else api_url
    return root + "openid/connect/authorize"


class SlackSignIn:
    def __init__(self, *, client_id: str, client_secret: str, api_url: str) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._api_url = api_url

    def authorize_url(self, *, redirect_uri: str, state: str, nonce: str) -> str:
        generator = OpenIDConnectAuthorizeUrlGenerator(
            client_id=self._client_id,
            redirect_uri=quote(redirect_uri, safe=""),
            scopes=list(SCOPES),
            authorization_url=authorize_base(self._api_url),
        )
        return generator.generate(state=quote(state, safe=""), nonce=quote(nonce, safe=""))

    def identify(self, *, code: str, redirect_uri: str) -> Identity:
        """Trade the code for a token, then ask who it belongs to. The id token comes straight
        from Slack's token endpoint over TLS, so its claims are read without checking its
        signature (OpenID Connect Core 3.1.3.7); its nonce is checked by the caller."""
        client = build_client(None, self._api_url)
        try:
            token = client.openid_connect_token(
                client_id=self._client_id, client_secret=self._client_secret, code=code, redirect_uri=redirect_uri
            )
            info = build_client(str(token["access_token"]), self._api_url).openid_connect_userInfo()
        except SlackApiError as error:
            raise SignInFailed(f"Slack refused the sign-in ({error.response.get('error', 'error')})") from None
        except KeyError:
            raise SignInFailed("Slack's answer had no access token") from None
        claims = _claims(str(token.get("id_token") or ""))
        team_id, user_id = info.get("https://slack.com/team_id"), info.get("https://slack.com/user_id")
        if not team_id or not user_id or claims.get("https://slack.com/user_id", user_id) != user_id:
            raise SignInFailed("Slack's answer did not say who signed in")
        return Identity(str(team_id), str(user_id), info.get("name"), claims.get("nonce"))


def _claims(id_token: str) -> dict[str, Any]:
    parts = id_token.split(".")
    if len(parts) != 3:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


@dataclass(frozen=True)
class ChannelLists:
    """What Slack says of one workspace: the public channels the bot is in, and, per person
    asked about, the private channels both they and the bot are in, every channel they are in
    (for a guest), and whether they are a guest or deactivated."""

    public: frozenset[str]
    private_of: Callable[[str], frozenset[str]]
    member_of: Callable[[str], frozenset[str]]
    standing_of: Callable[[str], Standing]
    workspace_name: str | None = None
    workspace_url: str | None = None
    """For the permalinks of each timeline entry."""


def channel_lists(deps: Deps) -> Callable[[str], ChannelLists | None]:
    """``lists_for(team_id)``: None when this install has no bot in that workspace."""
    client = build_client(deps.settings.slack_bot_token, deps.settings.slack_api_url)
    client_for = clients(deps, client)

    def lists_for(team_id: str) -> ChannelLists | None:
        try:
            team_client = client_for(team_id)
        except NoInstallation:
            return None
        me = team_client.auth_test()
        if me.get("team_id") != team_id:
            return None  # a single-workspace install asked about another workspace
        public = _conversations(team_client, types="public_channel")
        return ChannelLists(
            public,
            lambda user: _conversations(team_client, types="private_channel", user=user),
            lambda user: _conversations(team_client, types="public_channel,private_channel", user=user),
            lambda user: _standing(team_client, user),
            me.get("team"),
            me.get("url"),
        )

    return lists_for


def _standing(client: WebClient, user: str) -> Standing:
    """``users.info``: a guest is ``is_restricted`` (multi-channel) or ``is_ultra_restricted``
    (single-channel); a deactivated account is ``deleted``, and one Slack no longer knows
    counts as deactivated."""
    try:
        found = client.users_info(user=user).get("user") or {}
    except SlackApiError as error:
        if error.response.get("error") == "user_not_found":
            return Standing(guest=False, deleted=True)
        raise
    guest = bool(found.get("is_restricted") or found.get("is_ultra_restricted"))
    return Standing(guest=guest, deleted=bool(found.get("deleted")))


def _conversations(client: WebClient, *, types: str, user: str | None = None) -> frozenset[str]:
    found: set[str] = set()
    cursor: str | None = None
    while True:
        page = client.users_conversations(types=types, user=user, limit=PAGE, cursor=cursor, exclude_archived=False)
        channels: list[dict[str, Any]] = page.get("channels", [])
        found.update(str(c["id"]) for c in channels if c.get("id"))
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return frozenset(found)
