"""``/incident role | roles | update | catchup``: running the incident while it burns."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.grammar import check_text
from bot.core.mentions import mention
from bot.core.roles import ROLE_LABELS, parse_role
from bot.core.updates import MAX_FIELD_CHARS, UpdateFields
from bot.services import catchup as catchups
from bot.services import deferred, roles
from bot.services.deferred import Work
from bot.slack.after_answer import tell, work_kind
from bot.slack.catchup_text import catchup_text
from bot.slack.deps import Deps
from bot.slack.running_text import role_given_text, roles_text, update_modal
from bot.slack.safe_text import channel_mention
from bot.slack.status_posts import queue_duties, queue_update
from bot.slack.subcommands.registry import CommandCall, Reply, subcommand

log = logging.getLogger(__name__)

INVITE_TROUBLE = {
    "not_in_channel": "I am not a member of this channel; add me (`/invite @Incident Scribe`) or invite them yourself.",
    "is_archived": "this channel is archived.",
    "user_is_restricted": "they are a guest, and Slack lets only people invite guests: invite them yourself.",
    "user_is_ultra_restricted": "they are a single-channel guest: invite them yourself.",
    "missing_scope": "the app lacks the permission to invite people to this channel: invite them yourself.",
    "method_not_supported_for_channel_type": "Slack does not let apps invite people to this kind of channel.",
    "ura_max_channels": "they are a guest already in as many channels as Slack allows.",
    "user_not_found": "Slack does not know that person.",
}
FINE = frozenset({"already_in_channel", "cant_invite_self"})


@subcommand("role")
def role(call: CommandCall) -> Reply:
    args = parse_role(call.args)
    with call.write() as session:
        assigned = roles.assign(
            session,
            team_id=call.team_id,
            channel_id=call.channel_id,
            role=args.role,
            user_id=args.user_id,
            by=call.user_id,
            now=call.now,
        )
        if assigned.changed:
            queue_duties(call.deps, session, team_id=call.team_id, channel_id=call.channel_id, assigned=assigned)
            deferred.accept(
                session,
                team_id=call.team_id,
                key=f"role:{assigned.assignment_id}:invite",
                kind="role_invite",
                payload={
                    "invitee": args.user_id,
                    "role": args.role,
                    "channel_id": call.channel_id,
                    "user_id": call.user_id,
                    "response_url": call.response_url,
                    "received_at": call.now.isoformat(),
                },
                now=call.now,
            )
    if not assigned.changed:
        return Reply(f"{mention(args.user_id)} is already the {ROLE_LABELS[args.role]}; nothing changed.")
    return Reply(role_given_text(args.role, args.user_id, assigned.previous, call.user_id), public=True)


@work_kind("role_invite")
def invite_role_holder(deps: Deps, client: WebClient, work: Work) -> None:
    """After the answer: bring the new role holder into the channel, or say plainly why not.
    An invite is safe to repeat (Slack answers ``already_in_channel``), so a lost answer is
    asked once more."""
    p = work.payload
    trouble = None
    for _attempt in range(2):
        try:
            client.conversations_invite(channel=p["channel_id"], users=p["invitee"])
            return
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            if code in FINE:
                return
            trouble = INVITE_TROUBLE.get(code, f"Slack said `{code}`.")
            break
        except (SlackClientError, OSError):
            trouble = "Slack did not answer when I invited them."
    tell(
        client,
        p,
        f":warning: {mention(p['invitee'])} is the {ROLE_LABELS[p['role']]}, but I could not invite them to "
        f"{channel_mention(p['channel_id'])}: {trouble}",
    )


@subcommand("roles")
def roles_list(call: CommandCall) -> Reply:
    with call.deps.sessions() as session:
        found = roles.roles_of(session, team_id=call.team_id, channel_id=call.channel_id)
    return Reply(roles_text(found.title, found.holders))


@subcommand("update")
def update(call: CommandCall) -> Reply:
    text = check_text(call.args, what="status update", limit=MAX_FIELD_CHARS).strip()
    if not text:
        with call.deps.sessions() as session:
            roles.open_incident(session, call.team_id, call.channel_id)
        call.client.views_open(trigger_id=call.trigger_id, view=update_modal(call.channel_id))
        return Reply("Fill in the form to post the status update.")
    with call.write() as session:
        queued = queue_update(
            call.deps,
            session,
            team_id=call.team_id,
            channel_id=call.channel_id,
            fields=UpdateFields(text),
            user_id=call.user_id,
        )
    where = f" and to {channel_mention(queued.stakeholders)}" if queued.stakeholders else ""
    return Reply(f":loudspeaker: Your status update is being posted in this channel{where}.")


@subcommand("catchup")
def catchup(call: CommandCall) -> Reply:
    with call.deps.sessions() as session:
        found = catchups.catchup_of_channel(session, team_id=call.team_id, channel_id=call.channel_id)
    return Reply(catchup_text(found, public_url=call.deps.settings.public_url))
