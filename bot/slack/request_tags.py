"""Tag the log lines of each Slack request with its workspace, channel and event (bot.logs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.logs import tag_request
from bot.slack.payloads import team_of
from bot.slack.subcommands.registry import SUBCOMMANDS


def tag_log_lines(body: dict[str, Any], context: BoltContext, next_: Callable[[], None]) -> None:
    """Bolt global middleware: runs after the signature check, before any listener."""
    tag_request(team=team_of(body, context) or None, channel=context.channel_id, event=request_kind(body))
    next_()


def request_kind(body: dict[str, Any]) -> str:
    """The event id; without one, what kind of request it is. Never any text a person typed,
    except a subcommand's name (``/incident:mark``), which is a word of the grammar."""
    if body.get("event_id"):
        return str(body["event_id"])
    if body.get("command"):
        word = str(body.get("text") or "").strip().partition(" ")[0].lower()
        return f"{body['command']}:{word}" if word in SUBCOMMANDS else str(body["command"])
    kind = str(body.get("type") or "unknown")
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return f"{kind}:{actions[0].get('action_id', '')}"
    if kind in ("view_submission", "view_closed"):
        return f"{kind}:{(body.get('view') or {}).get('callback_id', '')}"
    if kind in ("shortcut", "message_action"):
        return f"{kind}:{body.get('callback_id', '')}"
    if kind == "event_callback":
        return f"event:{(body.get('event') or {}).get('type', '')}"
    return kind
