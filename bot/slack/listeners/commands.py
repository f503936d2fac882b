"""The ``/incident`` slash command: answered from the database alone, within Slack's 3 s.

Bolt runs with ``process_before_response``, so nothing is sent before the listener returns:
the answer path never calls the Web API (only ``views.open``, whose trigger id expires). A
command that needs Slack to be understood (the typist's zone, not cached yet) is accepted as
deferred work in one transaction and answered "in a moment"; the lazy listener does it once
the answer is out and replies through ``response_url``.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

import bot.slack.subcommands  # noqa: F401  (registers the subcommands)
from bot.core.grammar import CommandError, split_command
from bot.core.mentions import USER_MENTION
from bot.core.timeparse import TimeParseError
from bot.services import deferred, repeats
from bot.services.deferred import Work
from bot.services.errors import UserFacingError
from bot.slack.after_answer import drain, new_key, received_at, tell, tries, warm_people, work_kind
from bot.slack.deps import Deps
from bot.slack.payloads import team_of
from bot.slack.safe_text import safe_mrkdwn
from bot.slack.subcommands.registry import SUBCOMMANDS, CommandCall, NeedsSlack, Reply

log = logging.getLogger(__name__)

FAILED = (
    ":x: Something went wrong on our side and nothing was recorded. "
    "Please try again in a moment; if it keeps failing, tell whoever runs Incident Scribe."
)
DEFERRED = (
    ":hourglass_flowing_sand: Got it. I'm looking up your Slack timezone to read the time you typed; "
    "the answer follows here in a moment."
)
OWNER_COMMANDS = frozenset({"action", "reassign", "role"})
"""Commands that name a person (an action item's owner, a role's holder): their name and zone
are looked up after the answer, for the pages, the draft and their nudges."""


def register(app: App, deps: Deps) -> None:
    def incident_command(
        ack: Ack, command: dict[str, Any], body: dict[str, Any], context: dict[str, Any], client: WebClient
    ) -> None:
        reply = answer(deps, client, command, team_of(body, context))
        ack(response_type="in_channel" if reply.public else "ephemeral", text=reply.text, blocks=reply.blocks)

    def after_the_answer(
        command: dict[str, Any], body: dict[str, Any], context: dict[str, Any], client: WebClient
    ) -> None:
        """Learn the zones of the typist and of a new owner (their nudges follow their clock),
        then do what the command left owed."""
        team_id = team_of(body, context)
        text = command.get("text") or ""
        owners = (
            [match.group(1) for match in USER_MENTION.finditer(text)]
            if split_command(text).name in OWNER_COMMANDS
            else []
        )
        warm_people(deps, client, team_id, [command.get("user_id", ""), *owners])
        drain(deps, client, team_id)

    app.command("/incident")(ack=incident_command, lazy=[after_the_answer])


def _command_given_up(work: Work) -> str:
    typed = safe_mrkdwn(str(work.payload.get("text") or "")[:200])
    return (
        f":x: I gave up on `/incident {typed}` {tries(work)}: it failed on our side each time, so nothing of it "
        "was recorded. Type it again; if it fails again, tell whoever runs Incident Scribe."
    )


@work_kind("command", given_up=_command_given_up)
def run_deferred_command(deps: Deps, client: WebClient, work: Work) -> None:
    """A command that waited for Slack, run as typed, at the moment it arrived."""
    p = work.payload
    call = CommandCall(
        deps=deps,
        client=client,
        team_id=work.team_id,
        channel_id=p["channel_id"],
        user_id=p["user_id"],
        args="",
        now=received_at(p),
        response_url=p.get("response_url"),
        text=p["text"],
        work=work,
    )
    reply = dispatch(call)
    tell(client, p, reply.text, public=reply.public, blocks=reply.blocks)


def answer(deps: Deps, client: WebClient, command: dict[str, Any], team_id: str) -> Reply:
    """The answer to Slack, from the database alone."""
    call = CommandCall(
        deps=deps,
        client=client,
        team_id=team_id,
        channel_id=command.get("channel_id", ""),
        user_id=command.get("user_id", ""),
        args="",
        now=deps.clock(),
        trigger_id=command.get("trigger_id"),
        response_url=command.get("response_url"),
        text=command.get("text") or "",
    )
    try:
        return dispatch(call)
    except NeedsSlack:
        return defer(call)


def dispatch(call: CommandCall) -> Reply:
    """Run the subcommand; every refusal becomes a clear message to the person who typed it."""
    try:
        parsed = split_command(call.text)
        handler = SUBCOMMANDS.get(parsed.name, SUBCOMMANDS["help"])
        call.args = parsed.args
        if parsed.name not in SUBCOMMANDS and parsed.name != "help":
            return Reply(
                f"I don't know `/incident {safe_mrkdwn(parsed.name[:30])}`.\n\n{SUBCOMMANDS['help'](call).text}"
            )
        return handler(call)
    except (CommandError, UserFacingError, TimeParseError) as error:
        return Reply(f":warning: {safe_mrkdwn(str(error), people=True)}")
    except NeedsSlack:
        if call.after_answer:
            log.exception("/incident needed Slack after the answer")
            return Reply(FAILED)
        raise
    except Exception:
        log.exception("/incident failed")
        return Reply(FAILED)


def defer(call: CommandCall) -> Reply:
    """Accept the command as deferred work (claimed against repeats in the same transaction)."""
    try:
        with call.deps.sessions.begin() as session:
            repeats.claim_command(
                session,
                team_id=call.team_id,
                channel_id=call.channel_id,
                user_id=call.user_id,
                text=call.text,
                now=call.now,
            )
            deferred.accept(
                session,
                team_id=call.team_id,
                key=new_key("command"),
                kind="command",
                payload={
                    "text": call.text,
                    "channel_id": call.channel_id,
                    "user_id": call.user_id,
                    "response_url": call.response_url,
                    "received_at": call.now.isoformat(),
                },
                now=call.now,
            )
    except repeats.Repeated as error:
        return Reply(f":warning: {safe_mrkdwn(str(error), people=True)}")
    except Exception:
        log.exception("/incident could not be deferred")
        return Reply(FAILED)
    return Reply(DEFERRED)
