"""``/incident link | links | unlink``: join paging-tool alerts to this channel's incident."""

from __future__ import annotations

from bot.core.alert_links import describe_key, parse_link_target
from bot.services import alert_links
from bot.slack.safe_text import safe_mrkdwn, user_mention
from bot.slack.subcommands.registry import CommandCall, Reply, subcommand

VIA = {"command": "linked by", "message": "found in a message from", "route": "declared by a route"}


def _events(count: int) -> str:
    return "no alert events yet" if count == 0 else f"{count} alert event{'s' if count != 1 else ''}"


@subcommand("link")
def link(call: CommandCall) -> Reply:
    target = parse_link_target(call.args)
    with call.write() as session:
        linked = alert_links.link(
            session,
            team_id=call.team_id,
            channel_id=call.channel_id,
            target=target,
            user_id=call.user_id,
            now=call.now,
        )
    shown = safe_mrkdwn(linked.label)
    if not linked.new:
        return Reply(f"`{shown}` is already linked to this incident ({_events(linked.events)}).")
    readings = ", ".join(safe_mrkdwn(describe_key(key)) for key in sorted(target.keys, key=str))
    found = (
        "No alert event of it has arrived yet; each one that does writes the timeline."
        if linked.events == 0
        else f"{_events(linked.events).capitalize()} so far {'writes' if linked.events == 1 else 'write'} "
        "the timeline, and so will every later one."
    )
    return Reply(
        f":link: {user_mention(call.user_id)} linked `{shown}` to this incident ({readings}). {found} "
        "`/incident links` lists the links.",
        public=True,
    )


@subcommand("links")
def links(call: CommandCall) -> Reply:
    with call.deps.sessions() as session:
        groups = alert_links.link_groups(session, team_id=call.team_id, channel_id=call.channel_id)
    if not groups:
        return Reply("No alerts are linked to this incident. Link one with `/incident link URL_OR_ID`.")
    lines = ["*Alerts linked to this incident*"]
    for group in groups:
        who = ""
        if group.via == "route":
            who = f", {VIA['route']}"
        elif group.user_id:
            who = f", {VIA.get(group.via, 'linked by')} {user_mention(group.user_id)}"
        lines.append(f"{group.number}. `{safe_mrkdwn(group.label)}`{who}: {_events(group.events)}")
    lines.append("Remove one with `/incident unlink N`.")
    return Reply("\n".join(lines))


@subcommand("unlink")
def unlink(call: CommandCall) -> Reply:
    with call.write() as session:
        removed = alert_links.unlink(
            session,
            team_id=call.team_id,
            channel_id=call.channel_id,
            which=call.args,
            user_id=call.user_id,
            now=call.now,
        )
    return Reply(
        f":broken_chain: {user_mention(call.user_id)} unlinked `{safe_mrkdwn(removed.label)}`: its "
        f"alert events no longer "
        "write this incident's timeline or phases.",
        public=True,
    )
