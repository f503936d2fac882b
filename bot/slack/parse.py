"""Translate Slack payloads into the plain values the use cases take. Nothing else.

The message rules are pure and shared with backfill and imports: they live in
``bot.core.slack_messages`` and are re-exported here for the listeners.
"""

from __future__ import annotations

from typing import Any

from bot.core.slack_messages import NOT_TIMELINE, RECORDED_SUBTYPES, parse_message_event, parse_stored_message

__all__ = ["NOT_TIMELINE", "RECORDED_SUBTYPES", "parse_message_event", "parse_stored_message", "team_of"]


def team_of(body: dict[str, Any], context: dict[str, Any]) -> str:
    """The workspace the event belongs to (the installing one, also for Slack Connect)."""
    team = context.get("team_id") or body.get("team_id") or context.get("enterprise_id")
    if not team:
        team = (body.get("team") or {}).get("id") or ""
    return str(team)
