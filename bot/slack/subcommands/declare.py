"""``/incident declare [sev1..sev4] TITLE``: open a new incident channel (a form without a title)."""

from __future__ import annotations

from bot.core.grammar import parse_severity, parse_start
from bot.slack.after_answer import new_key
from bot.slack.declaring import accept_declare, declare_modal
from bot.slack.safe_text import safe_mrkdwn
from bot.slack.subcommands.registry import CommandCall, Reply, subcommand


@subcommand("declare")
def declare(call: CommandCall) -> Reply:
    words = call.args.split()
    if not words or (len(words) == 1 and parse_severity(words[0])):
        severity = parse_severity(words[0]) if words else None
        call.client.views_open(
            trigger_id=call.trigger_id, view=declare_modal(severity=severity, origin_channel=call.channel_id)
        )
        return Reply("Fill in the form to declare the incident.")
    args = parse_start(call.args)
    with call.write() as session:
        accept_declare(
            session,
            team_id=call.team_id,
            user_id=call.user_id,
            args=args,
            now=call.now,
            key=new_key("declare"),
            response_url=call.response_url,
            origin_channel=call.channel_id,
        )
    return Reply(
        f":hourglass_flowing_sand: Declaring *{safe_mrkdwn(args.title)}*: I'm "
        "creating its channel and will post the link here in a moment."
    )
