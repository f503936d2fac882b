"""Events API listeners: capture every message of incident channels, and key-event marks.

Persist, then acknowledge: the app runs with process_before_response, so the HTTP answer goes
out only after the transaction committed; a database error becomes a 500 and Slack retries.
On Slack's last retry, with SCRIBE_SPOOL_DIR set, the event goes to a local durable spool
instead and is replayed when the database is back (bot/services/spool.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App, BoltRequest

from bot.services import incidents, keymarks, spool
from bot.services.spool import Spool
from bot.slack.alert_notes import link_alerts_in_message
from bot.slack.deps import Deps
from bot.slack.payloads import parse_message_event, team_of

log = logging.getLogger(__name__)

PIN_REACTIONS = frozenset({"pushpin", "round_pushpin"})
SPOOL_FROM_RETRY = 3
"""Slack's last redelivery of an event (X-Slack-Retry-Num 3, about five minutes after the first)."""


def _retry_num(request: BoltRequest) -> int:
    value = (request.headers.get("x-slack-retry-num") or ["0"])[0]
    return int(value) if value.isdigit() else 0


def store_kept_event(writes: incidents.MessageWrites, record: dict[str, Any]) -> None:
    """Replay one event kept in the spool through the same idempotent write as a live one."""
    change = parse_message_event(record["event"])
    incidents.record_message(writes, team_id=record["team_id"], channel_id=record["channel_id"], change=change)


def register(app: App, deps: Deps) -> None:
    """Register first: message events are the hot path, and Bolt matches listeners in order."""

    kept = Spool(deps.settings.spool_dir) if deps.settings.spool_dir else None

    @app.event("message")
    def record_message(
        event: dict[str, Any], body: dict[str, Any], context: dict[str, Any], request: BoltRequest
    ) -> None:
        channel = event.get("channel")
        if not channel:
            return
        change = parse_message_event(event)
        team_id = team_of(body, context)
        try:
            incidents.record_message(deps.writes, team_id=team_id, channel_id=channel, change=change)
        except Exception as error:
            if kept is None or not spool.is_database_down(error) or _retry_num(request) < SPOOL_FROM_RETRY:
                raise  # a 5xx: Slack delivers the event again
            kept.keep(spool.kept_event(team_id, channel, event))
            log.warning("database unavailable on Slack's last retry: message event kept in the local spool")
            return
        link_alerts_in_message(deps, team_id=team_id, channel_id=channel, change=change)
        if kept is not None:
            kept.replay_now_and_then(lambda record: store_kept_event(deps.writes, record))

    @app.event(re.compile(r"^reaction_(added|removed)$"))
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

    @app.event(re.compile(r"^pin_(added|removed)$"))
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

    @app.event(re.compile(r".*"))
    def acknowledge_everything_else(event: dict[str, Any]) -> None:
        """Events we subscribe to for other reasons (or not at all) are acknowledged, not
        answered 404, which Slack would count as a failed delivery and retry."""
        log.debug("event %s acknowledged without action", event.get("type"))
