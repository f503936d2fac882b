"""Events API listeners: capture every message of incident channels, and key-event marks.

Persist, then acknowledge: the app runs with process_before_response, so the HTTP answer goes
out only after the transaction committed; a database error becomes a 500 and Slack retries.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App

from bot.services import incidents, keymarks
from bot.slack.deps import Deps
from bot.slack.parse import parse_message_event, team_of

log = logging.getLogger(__name__)

PIN_REACTIONS = frozenset({"pushpin", "round_pushpin"})


def register(app: App, deps: Deps) -> None:
    """Register first: message events are the hot path, and Bolt matches listeners in order."""

    @app.event("message")
    def record_message(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        channel = event.get("channel")
        if not channel:
            return
        change = parse_message_event(event)
        incidents.record_message(deps.writes, team_id=team_of(body, context), channel_id=channel, change=change)

    @app.event({"type": re.compile(r"^reaction_(added|removed)$")})
    def mark_by_reaction(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        item = event.get("item") or {}
        if event.get("reaction") not in PIN_REACTIONS or item.get("type") != "message":
            return
        with deps.sessions.begin() as session:
            keymarks.set_mark(
                session,
                team_id=team_of(body, context),
                channel_id=item.get("channel", ""),
                ts=item.get("ts", ""),
                kind="reaction",
                user_id=event.get("user", ""),
                on=event["type"] == "reaction_added",
                now=deps.clock(),
            )

    @app.event({"type": re.compile(r"^pin_(added|removed)$")})
    def mark_by_pin(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        item = event.get("item") or {}
        message = item.get("message") or {}
        ts = message.get("ts") or item.get("ts") or ""
        with deps.sessions.begin() as session:
            keymarks.set_mark(
                session,
                team_id=team_of(body, context),
                channel_id=event.get("channel_id") or item.get("channel", ""),
                ts=ts,
                kind="pin",
                user_id="",
                on=event["type"] == "pin_added",
                now=deps.clock(),
            )



def register_fallback(app: App) -> None:
    """Register last: Bolt tries listeners in order and runs the first that matches."""

    @app.event({"type": re.compile(r".*")})
    def acknowledge_everything_else(event: dict[str, Any]) -> None:
        """Events we subscribe to for other reasons (or not at all) are acknowledged, not
        answered 404, which Slack would count as a failed delivery and retry."""
        log.debug("event %s acknowledged without action", event.get("type"))
