"""Text, Block Kit and the form of running an incident: the duties DM of a role, a status
update as posted, the update form, the reminder with its buttons.

Everything a person typed goes through safe_text; the only people mentioned are the role
holders and the person acting, written as ``<@U…>`` here, by the app.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.core.durations import format_duration
from bot.core.grammar import CommandError
from bot.core.mentions import mention
from bot.core.pages import incident_page
from bot.core.roles import ROLE_LABELS, Holder
from bot.core.updates import MAX_FIELD_CHARS, UpdateFields, check_field, format_minutes, parse_next_update
from bot.services.status_updates import Posted, Reminder
from bot.slack.safe_text import channel_mention, safe_link, safe_mrkdwn

log = logging.getLogger(__name__)

UPDATE_VIEW = "incident_update"
STATUS_BLOCK, STATUS_INPUT = "update_status", "status_input"
IMPACT_BLOCK, IMPACT_INPUT = "update_impact", "impact_input"
NEXT_BLOCK, NEXT_INPUT = "update_next_steps", "next_steps_input"
WHEN_BLOCK, WHEN_INPUT = "update_next_in", "next_in_input"
POST_UPDATE = "status_update_open"
SNOOZE = "status_update_snooze"
PACKAGED_ROLE_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "role_duties.md.j2"
MAX_TEXT = 3000


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=text)


def _severity(severity: str | None) -> str:
    return f" ({severity})" if severity else ""


# -- roles ----------------------------------------------------------------------------------
def duties_dm(
    *,
    template_path: str | None,
    role: str,
    user_id: str,
    previous: str | None,
    title: str,
    severity: str | None,
    channel_id: str,
    every: timedelta | None,
) -> dict[str, Any]:
    """The DM that gives a role its duties: the team's template when it renders, else ours."""
    values = {
        "role": role,
        "role_label": ROLE_LABELS[role],
        "assignee": mention(user_id),
        "previous": mention(previous) if previous and previous != user_id else None,
        "title": safe_mrkdwn(title),
        "severity": severity,
        "channel": channel_mention(channel_id),
        "every": format_duration(every) if every else None,
    }
    text = None
    if template_path:
        try:
            text = _render(Path(template_path).expanduser().read_text(encoding="utf-8"), values)
        except (OSError, jinja2.TemplateError) as error:
            log.error("SCRIBE_ROLE_TEMPLATE %r failed (%s); using the packaged template", template_path, error)
    if text is None:
        text = _render(PACKAGED_ROLE_TEMPLATE.read_text(encoding="utf-8"), values)
    return {"text": text[: MAX_TEXT * 4]}


def _render(source: str, values: dict[str, Any]) -> str:
    environment = jinja2.Environment(
        autoescape=False, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined
    )  # mrkdwn, not HTML; every value from a person is made safe before it is passed in
    return environment.from_string(source).render(**values).strip()


def role_given_text(role: str, user_id: str, previous: str | None, by: str) -> str:
    label = ROLE_LABELS[role]
    handoff = f", taking over from {mention(previous)}" if previous and previous != user_id else ""
    return f":identification_card: {mention(user_id)} is now the *{label}*{handoff} (given by {mention(by)})."


def roles_text(title: str, holders: list[Holder]) -> str:
    lines = [f"*Roles of {safe_mrkdwn(title)}*"]
    held = {holder.role: holder for holder in holders}
    for role, label in ROLE_LABELS.items():
        holder = held.get(role)
        if holder is None:
            lines.append(f"• {label}: nobody yet — `/incident role {role} @person`")
        else:
            note = " (started the incident)" if holder.by_default else ""
            lines.append(f"• {label}: {mention(holder.user_id)}{note}")
    return "\n".join(lines)


# -- status updates -------------------------------------------------------------------------
def _update_lines(fields: UpdateFields) -> list[str]:
    lines = [f"*Status:* {safe_mrkdwn(fields.status)}"]
    if fields.impact:
        lines.append(f"*Impact:* {safe_mrkdwn(fields.impact)}")
    if fields.next_steps:
        lines.append(f"*Next steps:* {safe_mrkdwn(fields.next_steps)}")
    if fields.next_update_minutes:
        lines.append(f"*Next update in:* {format_minutes(fields.next_update_minutes)}")
    return lines


def update_post(posted: Posted, fields: UpdateFields, *, user_id: str, commander: str | None) -> dict[str, Any]:
    """The update as posted in the incident channel."""
    lines = [f":loudspeaker: *Status update* — {safe_mrkdwn(posted.title)}{_severity(posted.severity)}"]
    lines += _update_lines(fields)
    lines.append(_posted_by(posted, user_id, commander))
    return {"text": "\n".join(lines)}


def stakeholder_post(
    posted: Posted, fields: UpdateFields, *, user_id: str, commander: str | None, public_url: str | None
) -> dict[str, Any]:
    """The update as the stakeholders' channel gets it, with a link back to the incident."""
    lines = [f":loudspeaker: *Incident update* — {safe_mrkdwn(posted.title)}{_severity(posted.severity)}"]
    lines += _update_lines(fields)
    lines.append(_posted_by(posted, user_id, commander))
    back = [f"Follow it in {channel_mention(posted.channel_id)}"]
    if posted.workspace_url:
        link = safe_link(f"{posted.workspace_url.rstrip('/')}/archives/{posted.channel_id}", "open the channel")
        if link.startswith("<"):
            back.append(link)
    page = incident_page(public_url, posted.incident_id)
    if page:
        back.append(safe_link(page, "the incident's page"))
    lines.append(" · ".join(back))
    return {"text": "\n".join(lines)}


def _posted_by(posted: Posted, user_id: str, commander: str | None) -> str:
    holds_a_role = user_id in posted.holders
    poster = mention(user_id) if holds_a_role else safe_mrkdwn(f"@{posted.poster_name or user_id}")
    line = f"_Posted by {poster} at {posted.at:%H:%M} UTC"
    if commander:
        line += f" · Incident commander {mention(commander)}"
    return line + "_"


def update_modal(channel_id: str, *, status: str = "") -> dict[str, Any]:
    """The form of ``/incident update`` without text (and of the reminder's Post update)."""

    def field(block: str, action: str, label: str, *, optional: bool, placeholder: str, multiline: bool) -> InputBlock:
        element = PlainTextInputElement(
            action_id=action,
            multiline=multiline,
            max_length=MAX_FIELD_CHARS,
            placeholder=_plain(placeholder),
            initial_value=status[:MAX_FIELD_CHARS] if block == STATUS_BLOCK and status else None,
        )
        return InputBlock(block_id=block, label=_plain(label), element=element, optional=optional)

    return View(
        type="modal",
        callback_id=UPDATE_VIEW,
        private_metadata=channel_id,
        title=_plain("Status update"),
        submit=_plain("Post update"),
        close=_plain("Cancel"),
        blocks=[
            field(
                STATUS_BLOCK,
                STATUS_INPUT,
                "Status",
                optional=False,
                placeholder="Investigating elevated 5xx on checkout",
                multiline=True,
            ),
            field(
                IMPACT_BLOCK,
                IMPACT_INPUT,
                "Impact",
                optional=True,
                placeholder="About 4% of checkouts fail in eu-west",
                multiline=True,
            ),
            field(
                NEXT_BLOCK,
                NEXT_INPUT,
                "Next steps",
                optional=True,
                placeholder="Rolling back the 14:02 deploy",
                multiline=True,
            ),
            field(WHEN_BLOCK, WHEN_INPUT, "Next update in", optional=True, placeholder="30m", multiline=False),
        ],
    ).to_dict()


class FormError(CommandError):
    def __init__(self, block: str, message: str) -> None:
        super().__init__(message)
        self.block = block


def update_values(view: dict[str, Any]) -> UpdateFields:
    """What the form says; a field that cannot be accepted raises :class:`FormError` naming it."""
    values = (view.get("state") or {}).get("values") or {}

    def value(block: str, action: str) -> str | None:
        found = ((values.get(block) or {}).get(action) or {}).get("value")
        return str(found) if found is not None else None

    fields: dict[str, Any] = {}
    for block, action, what, name in (
        (STATUS_BLOCK, STATUS_INPUT, "status", "status"),
        (IMPACT_BLOCK, IMPACT_INPUT, "impact", "impact"),
        (NEXT_BLOCK, NEXT_INPUT, "next steps", "next_steps"),
    ):
        try:
            fields[name] = check_field(value(block, action), what=what)
        except CommandError as error:
            raise FormError(block, str(error)) from None
    if not fields["status"]:
        raise FormError(STATUS_BLOCK, "Say where things stand, for example “Investigating elevated 5xx on checkout”.")
    try:
        minutes = parse_next_update(value(WHEN_BLOCK, WHEN_INPUT))
    except CommandError as error:
        raise FormError(WHEN_BLOCK, str(error)) from None
    return UpdateFields(fields["status"], fields["impact"], fields["next_steps"], minutes)


# -- reminders ------------------------------------------------------------------------------
def reminder_message(reminder: Reminder) -> dict[str, Any]:
    """The reminder, with Post update (opens the form) and Snooze 30 min."""
    incident = reminder.incident
    since = "the last status update" if incident.last_update_at else "the incident started"
    gone = reminder.due.interval * reminder.every
    text = (
        f":hourglass: *{safe_mrkdwn(incident.title)}*{_severity(incident.severity)} in "
        f"{channel_mention(incident.channel_id)} "
        f"has gone {format_duration(gone)} since {since}; a {incident.severity} update is due every "
        f"{format_duration(reminder.every)}. Post one with `/incident update TEXT` or the button."
    )
    buttons = ActionsBlock(
        block_id=f"update_reminder_{incident.id}",
        elements=[
            ButtonElement(text=_plain("Post update"), action_id=POST_UPDATE, value=str(incident.id), style="primary"),
            ButtonElement(text=_plain("Snooze 30 min"), action_id=SNOOZE, value=str(incident.id)),
        ],
    )
    section = SectionBlock(text=MarkdownTextObject(text=text[:MAX_TEXT]))
    return {"text": text, "blocks": [section.to_dict(), buttons.to_dict()]}


def snoozed_text(until: datetime, user_id: str) -> str:
    return f":zzz: Update reminder snoozed by {mention(user_id)} until {until:%H:%M} UTC."
