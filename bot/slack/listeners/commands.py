"""The ``/incident`` slash command: parse, call one use case, answer within Slack's 3 s."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

import bot.slack.subcommands  # noqa: F401  (registers the subcommands)
from bot.core.commands import CommandError, split_command
from bot.core.timeparse import TimeParseError
from bot.services.errors import UserFacingError
from bot.slack.delivery import deliver_owed_posts
from bot.slack.deps import Deps
from bot.slack.parse import team_of
from bot.slack.safe_text import safe_mrkdwn
from bot.slack.subcommands.registry import SUBCOMMANDS, CommandCall, Reply

log = logging.getLogger(__name__)

FAILED = (
    ":x: Something went wrong on our side and nothing was recorded. "
    "Please try again in a moment; if it keeps failing, tell whoever runs Incident Scribe."
)


def register(app: App, deps: Deps) -> None:
    def incident_command(ack: Ack, command: dict[str, Any], body: dict[str, Any], context: dict[str, Any], client: WebClient) -> None:
        reply = answer(deps, client, command, team_of(body, context))
        ack(
            response_type="in_channel" if reply.public else "ephemeral",
            text=reply.text,
            blocks=reply.blocks,
        )

    def send_owed_posts(body: dict[str, Any], context: dict[str, Any], client: WebClient) -> None:
        """After the answer: send what the command put in the outbox (drafts, DMs)."""
        deliver_owed_posts(deps, client, team_of(body, context))

    app.command("/incident")(ack=incident_command, lazy=[send_owed_posts])


def answer(deps: Deps, client: WebClient, command: dict[str, Any], team_id: str) -> Reply:
    """Run the subcommand; every refusal becomes a clear message to the person who typed it."""
    try:
        parsed = split_command(command.get("text") or "")
        handler = SUBCOMMANDS.get(parsed.name, SUBCOMMANDS["help"])
        call = CommandCall(
            deps=deps,
            client=client,
            team_id=team_id,
            channel_id=command.get("channel_id", ""),
            user_id=command.get("user_id", ""),
            args=parsed.args,
            now=deps.clock(),
            trigger_id=command.get("trigger_id"),
            response_url=command.get("response_url"),
        )
        if parsed.name not in SUBCOMMANDS and parsed.name != "help":
            return Reply(f"I don't know `/incident {safe_mrkdwn(parsed.name[:30])}`.\n\n{SUBCOMMANDS['help'](call).text}")
        return handler(call)
    except (CommandError, UserFacingError, TimeParseError) as error:
        return Reply(f":warning: {error}")
    except Exception:
        log.exception("/incident failed")
        return Reply(FAILED)
