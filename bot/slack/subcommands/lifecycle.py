"""``/incident close | reopen``: an incident's channel stops being recorded, and starts again.

``reopen`` is shared with action items: ``/incident reopen ID`` reopens action item ID
(actions.py), ``/incident reopen`` alone reopens this channel's most recently closed incident.
"""

from __future__ import annotations

from bot.core.grammar import CommandError
from bot.services import lifecycle
from bot.slack.safe_text import safe_mrkdwn, user_mention
from bot.slack.subcommands import actions as action_commands
from bot.slack.subcommands.registry import CommandCall, Reply, subcommand


@subcommand("close")
def close(call: CommandCall) -> Reply:
    if call.args.strip():
        raise CommandError(
            "`/incident close` takes nothing after it: it closes this channel's incident. "
            "To close an action item, use `/incident done ID`."
        )
    with call.write() as session:
        closed = lifecycle.close_incident(
            session, team_id=call.team_id, channel_id=call.channel_id, user_id=call.user_id, now=call.now
        )
    return Reply(
        f":checkered_flag: {user_mention(call.user_id)} closed *{safe_mrkdwn(closed.title)}*. This "
        f"channel is no longer recorded: "
        "what is said here from now on is not part of its record. `/incident reopen` resumes recording; "
        "`/incident start TITLE` begins a new incident here.",
        public=True,
    )


@subcommand("reopen")
def reopen(call: CommandCall) -> Reply:
    if call.args.strip():
        return action_commands.reopen_item(call)
    with call.write() as session:
        reopened = lifecycle.reopen_incident(session, team_id=call.team_id, channel_id=call.channel_id)
    return Reply(
        f":arrow_forward: {user_mention(call.user_id)} reopened *{safe_mrkdwn(reopened.title)}*. "
        f"Every message in this channel is "
        f"recorded again; what was said while it was closed (since {reopened.was_closed_at:%Y-%m-%d %H:%M} UTC) "
        "is not in its record.",
        public=True,
    )
