"""``/incident review|announce|stakeholders [here|off]``: each workspace picks the channel of
its weekly review, of its incident announcements and of its stakeholders' copy of every status
update (bot/core/channels.py).

Anyone in the workspace may choose; the choice is announced in the channel it names, so
nobody moves the review quietly. The bot must be able to post there (a member of a private
channel; any public channel with the chat:write.public scope).
"""

from __future__ import annotations

from bot.core.grammar import CommandError
from bot.core.review import ReviewSchedule
from bot.core.weekdays import WEEKDAYS
from bot.services import workspace_channels
from bot.slack.oauth import serves_one_workspace
from bot.slack.safe_text import channel_mention, user_mention
from bot.slack.subcommands.registry import CommandCall, Reply, subcommand

WHAT = {
    "review": "the weekly review of open action items",
    "announce": "announcements of incidents declared with `/incident declare`",
    "stakeholders": "a copy of every status update posted with `/incident update`",
}


def _when(call: CommandCall, purpose: str) -> str:
    if purpose != "review":
        return ""
    schedule = ReviewSchedule.parse(call.deps.settings.review_at)
    day = WEEKDAYS[schedule.weekday]
    return f" (every {day} at {schedule.hour:02d}:{schedule.minute:02d} UTC)"


def _channels(call: CommandCall, purpose: str) -> Reply:
    word = call.args.strip().lower()
    if word in ("here", "off"):
        channel = call.channel_id if word == "here" else None
        with call.write() as session:
            workspace_channels.choose(
                session, team_id=call.team_id, purpose=purpose, channel_id=channel, user_id=call.user_id, now=call.now
            )
        if channel is None:
            return Reply(
                f"{user_mention(call.user_id)} turned off {WHAT[purpose]} for this workspace. "
                f"`/incident {purpose} here` turns it back on in a channel.",
                public=True,
            )
        return Reply(
            f"{user_mention(call.user_id)} chose this channel for "
            f"{WHAT[purpose]}{_when(call, purpose)}. `/incident {purpose} off` stops "
            "it.",
            public=True,
        )
    if word:
        raise CommandError(
            f"`/incident {purpose}` takes `here` (this channel gets {WHAT[purpose]}), "
            "`off`, or nothing to see where it goes."
        )
    with call.deps.sessions() as session:
        channel = workspace_channels.channel_for(
            session,
            call.deps.settings,
            team_id=call.team_id,
            purpose=purpose,
            one_workspace=serves_one_workspace(call.deps.settings),
        )
    if channel is None:
        return Reply(f"No channel gets {WHAT[purpose]}. Run `/incident {purpose} here` in the channel that should.")
    return Reply(
        f"{channel_mention(channel)} gets {WHAT[purpose]}{_when(call, purpose)}. `/incident "
        f"{purpose} here` moves it to this channel; `/incident {purpose} off` "
        "stops it."
    )


@subcommand("review")
def review(call: CommandCall) -> Reply:
    return _channels(call, "review")


@subcommand("announce")
def announce(call: CommandCall) -> Reply:
    return _channels(call, "announce")


@subcommand("stakeholders")
def stakeholders(call: CommandCall) -> Reply:
    return _channels(call, "stakeholders")
