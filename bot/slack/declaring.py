"""``/incident declare``: a new ``inc-YYYYMMDD-slug`` channel, recorded from its first message.

The channel is created and recording starts before the answer (the person gets a link to it);
the header in the new channel and the announcement go out after the ack.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.commands import StartArgs
from bot.core.record import SEVERITIES
from bot.core.slug import incident_channel_name
from bot.services import incidents, workspace_channels
from bot.services.errors import UserFacingError
from bot.slack.background import after_ack
from bot.slack.deps import Deps
from bot.slack.oauth import serves_one_workspace
from bot.slack.safe_text import safe_mrkdwn

log = logging.getLogger(__name__)

MAX_NAME_ATTEMPTS = 20
MODAL_CALLBACK = "incident_declare"
TITLE_BLOCK, TITLE_ACTION = "title", "title_input"
SEVERITY_BLOCK, SEVERITY_ACTION = "severity", "severity_select"


@dataclass(frozen=True)
class Declared:
    channel_id: str
    name: str
    title: str
    severity: str | None


def declare_incident(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, args: StartArgs, now: datetime
) -> Declared:
    """Create the channel (a free name), invite the declarer, start recording, then announce."""
    channel_id, name = _create_channel(client, args.title, now)
    _invite(client, channel_id, user_id)
    with deps.sessions.begin() as session:
        incidents.start_incident(session, team_id=team_id, channel_id=channel_id, args=args, user_id=user_id, now=now)
        announce_channel = workspace_channels.channel_for(
            session, deps.settings, team_id=team_id, purpose="announce", one_workspace=serves_one_workspace(deps.settings)
        )
    declared = Declared(channel_id=channel_id, name=name, title=args.title, severity=args.severity)

    def post_header_and_announce() -> None:
        client.chat_postMessage(channel=channel_id, text=header_text(declared, user_id=user_id, now=now))
        if announce_channel:
            client.chat_postMessage(channel=announce_channel, text=announcement_text(declared, user_id=user_id))

    after_ack(post_header_and_announce, what=f"header and announcement of {name}")
    return declared


def _create_channel(client: WebClient, title: str, now: datetime) -> tuple[str, str]:
    for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
        name = incident_channel_name(title, now.date(), attempt=attempt)
        try:
            response = client.conversations_create(name=name, is_private=False)
        except SlackApiError as error:
            reason = error.response.get("error")
            if reason == "name_taken":
                continue
            raise UserFacingError(
                f"Slack would not create the channel #{name} (it said `{reason}`). "
                "Ask whoever runs Incident Scribe to check the app's permissions, or create the "
                "channel yourself and type `/incident start` there."
            ) from None
        return str(response["channel"]["id"]), str(response["channel"].get("name") or name)
    raise UserFacingError(
        f"Every channel name from #{incident_channel_name(title, now.date())} to "
        f"-{MAX_NAME_ATTEMPTS} is taken. Give the incident a more specific title."
    )


def _invite(client: WebClient, channel_id: str, user_id: str) -> None:
    try:
        client.conversations_invite(channel=channel_id, users=user_id)
    except SlackApiError as error:
        if error.response.get("error") not in ("already_in_channel", "cant_invite_self"):
            raise UserFacingError(
                f"I created <#{channel_id}> but could not invite you (Slack said "
                f"`{error.response.get('error')}`); join it from the channel browser."
            ) from None


def header_text(declared: Declared, *, user_id: str, now: datetime) -> str:
    severity = f" ({declared.severity})" if declared.severity else ""
    return (
        f":rotating_light: *{safe_mrkdwn(declared.title)}*{severity}, declared by <@{user_id}> at {now:%Y-%m-%d %H:%M} UTC.\n"
        "Everything said in this channel is recorded with its UTC time.\n"
        "• Mark the phases as they happen: `/incident mark detected|acknowledged|mitigated|resolved [at TIME] [NOTE]`"
        " — backdate with `at 14:05` or `at 10m ago` (a time without a zone is read in your own timezone).\n"
        "• `/incident note TEXT` adds a key event; `/incident status` shows the phases so far."
    )


def announcement_text(declared: Declared, *, user_id: str) -> str:
    severity = f" ({declared.severity})" if declared.severity else ""
    return f":rotating_light: <@{user_id}> declared an incident: *{safe_mrkdwn(declared.title)}*{severity}. Follow it in <#{declared.channel_id}>."


def declare_modal(*, severity: str | None = None, origin_channel: str = "") -> dict[str, Any]:
    """The form shown when ``/incident declare`` has no title."""
    options = [{"text": {"type": "plain_text", "text": s.upper()}, "value": s} for s in SEVERITIES]
    select: dict[str, Any] = {"type": "static_select", "action_id": SEVERITY_ACTION, "options": options}
    if severity in SEVERITIES:
        select["initial_option"] = next(o for o in options if o["value"] == severity)
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "private_metadata": origin_channel,
        "title": {"type": "plain_text", "text": "Declare an incident"},
        "submit": {"type": "plain_text", "text": "Declare"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": TITLE_BLOCK,
                "label": {"type": "plain_text", "text": "What is happening?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": TITLE_ACTION,
                    "max_length": 200,
                    "placeholder": {"type": "plain_text", "text": "Checkout errors in eu-west"},
                },
            },
            {
                "type": "input",
                "block_id": SEVERITY_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Severity"},
                "element": select,
            },
        ],
    }


def modal_values(view: dict[str, Any]) -> tuple[str, str | None]:
    """(title, severity) as typed in the submitted form."""
    values = (view.get("state") or {}).get("values") or {}
    title = ((values.get(TITLE_BLOCK) or {}).get(TITLE_ACTION) or {}).get("value") or ""
    selected = ((values.get(SEVERITY_BLOCK) or {}).get(SEVERITY_ACTION) or {}).get("selected_option") or {}
    return str(title), selected.get("value")
