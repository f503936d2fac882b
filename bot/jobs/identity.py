"""The clock keeps the single-token install's workspace identity fresh (bot/slack/identity.py)."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient

from bot.slack.deps import Deps
from bot.slack.identity import REFRESH_EVERY, KnownIdentity
from bot.slack.oauth import install_mode


def learn_workspace_identity(deps: Deps, client: WebClient, now: datetime) -> None:
    """Ask ``auth.test`` when nothing is stored for the bot token or what is stored is old."""
    token = deps.settings.slack_bot_token
    if install_mode(deps.settings) != "single" or not token:
        return
    identity = KnownIdentity(deps, client, token)
    known = identity.current()
    if known is None or known.learned_at is None or known.learned_at < now - REFRESH_EVERY:
        identity.learn()
