"""Block Kit and text for action items: DMs, nudges, lists, modals, the Home tab, the review.

Blocks and views are built with slack_sdk's models, which check Slack's limits (a button's text,
a modal's title, a view's 100 blocks…) when they are turned into JSON: a builder that outgrew
one fails in the tests, not at Slack. Section text is still cut to 3,000 characters here, since
a long action item is data, not a mistake.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.core.budget import BudgetStatus
from bot.core.durations import format_duration
from bot.core.pages import incident_page
from bot.core.record import ItemWithIncident
from bot.core.review import Review
from bot.core.ticket_info import TRACKER_NAMES, TicketInfo, Tracker
from bot.services.actions import Home
from bot.services.followup import Nudge
from bot.services.tickets import TicketLine
from bot.slack.review_text import render_review_text
from bot.slack.safe_text import channel_mention, safe_link, safe_mrkdwn, user_mention

DONE = "action_item_done"
MOVE_DUE = "action_item_move_due"
REASSIGN = "action_item_reassign"
CREATE_VIEW = "action_item_create"
MOVE_DUE_VIEW = "action_item_move_due_view"
REASSIGN_VIEW = "action_item_reassign_view"
OWNER_BLOCK, OWNER_INPUT = "owner", "owner_select"
DUE_BLOCK, DUE_INPUT = "due", "due_pick"
TEXT_BLOCK, TEXT_INPUT = "text", "text_input"


def _plain(text: str) -> PlainTextObject:
    # Built explicitly: from a bare string slack_sdk would add "emoji": true to every label.
    return PlainTextObject(text=text)


def _section_block(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))


def _section(text: str) -> dict[str, Any]:
    return _section_block(text).to_dict()


def _button(text: str, action_id: str, item_id: int, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=_plain(text), action_id=action_id, value=str(item_id), style=style)


def _item_buttons_block(item_id: int, *, reassign: bool = True) -> ActionsBlock:
    elements = [_button("Done", DONE, item_id, "primary"), _button("Move due date", MOVE_DUE, item_id)]
    if reassign:
        elements.append(_button("Reassign", REASSIGN, item_id))
    return ActionsBlock(block_id=f"item_{item_id}", elements=elements)


def item_buttons(item_id: int, *, reassign: bool = True) -> dict[str, Any]:
    return _item_buttons_block(item_id, reassign=reassign).to_dict()


def item_line(row: ItemWithIncident, *, today: date) -> str:
    parts = [f"*#{row.id}* {safe_mrkdwn(row.text)}", user_mention(row.owner_id) if row.owner_id else "_no owner_"]
    if row.status == "done":
        parts.append("done :white_check_mark:")
    elif row.due is not None:
        late = (today - row.due).days
        parts.append(
            f"due {row.due.isoformat()}" + (f" (*{late} day{'s' if late != 1 else ''} overdue*)" if late > 0 else "")
        )
    if row.rollovers:
        parts.append(f"rolled over {row.rollovers}×")
    if row.ticket is not None:
        parts.append(ticket_text(row.ticket))
    return " — ".join(parts)


def ticket_text(ticket: TicketInfo) -> str:
    """An item's ticket in mrkdwn: its key linked to it, with its state when closed there;
    "ticket pending" until the tracker made it. Every part came from the tracker: safe text."""
    label = ticket.label()
    shown = safe_link(ticket.url, label) if ticket.key and ticket.url else safe_mrkdwn(label)
    if ticket.key and ticket.state in ("done", "canceled"):
        shown += f" ({ticket.state})"
    return shown


def ticket_line_post(line: TicketLine) -> dict[str, Any]:
    """The incident channel's one line when a tracker closed, canceled or reopened an item."""
    name = TRACKER_NAMES.get(Tracker(line.tracker), line.tracker) if line.tracker in set(Tracker) else line.tracker
    ticket = ticket_text(TicketInfo(line.tracker, line.key, line.url, "open"))
    verb = {"done": "closed", "canceled": "closed as not done", "open": "reopened"}.get(line.status, line.status)
    mark = {"done": ":white_check_mark:", "canceled": ":heavy_multiplication_x:"}.get(
        line.status, ":leftwards_arrow_with_hook:"
    )
    text = f"{mark} {ticket} was {verb} in {name}: action item *#{line.item_id}* {safe_mrkdwn(line.text)}"
    return {"text": text}


def assignment_dm(row: ItemWithIncident, *, by: str, reassigned: bool = False) -> dict[str, Any]:
    verb = "reassigned" if reassigned else "assigned"
    text = (
        f"{user_mention(by)} {verb} you an action item from incident *{safe_mrkdwn(row.title)}* "
        f"({channel_mention(row.channel_id)}):\n"
        f"*#{row.id}* {safe_mrkdwn(row.text)}\nDue *{row.due.isoformat() if row.due else 'no date'}*. "
        "I'll remind you before it is due."
    )
    if row.ticket is not None:
        text += f"\nTicket: {ticket_text(row.ticket)}"
    return {"text": text, "blocks": [_section(text), item_buttons(row.id)]}


_NUDGE_OPENING = {
    "before": "is due on *{due}*",
    "due": "is due *{due}*, today",
    "overdue": "was due on *{due}* and is *{late} days overdue*",
}


def nudge_dm(nudge: Nudge) -> dict[str, Any]:
    row = nudge.item
    due = row.due.isoformat() if row.due else "?"
    state = _NUDGE_OPENING.get(nudge.kind, "is due on *{due}*").format(due=due, late=nudge.days_overdue)
    if nudge.kind == "due" and nudge.local_date != row.due:
        state = f"was due on *{due}*"
    text = (
        f":alarm_clock: Your action item *#{row.id}* {state}:\n>{safe_mrkdwn(row.text)}\n"
        f"From incident *{safe_mrkdwn(row.title)}* ({channel_mention(row.channel_id)})."
    )
    if row.rollovers:
        text += f" Its date has moved {row.rollovers}× already."
    if row.ticket is not None:
        text += f"\nTicket: {ticket_text(row.ticket)}"
    return {"text": text, "blocks": [_section(text), item_buttons(row.id)]}


def escalation_post(nudge: Nudge) -> dict[str, Any]:
    row = nudge.item
    text = (
        f":warning: Action item *#{row.id}* {safe_mrkdwn(row.text)} — owned by "
        f"{user_mention(row.owner_id)} — was due on "
        f"{row.due.isoformat() if row.due else '?'} and is {nudge.days_overdue} days overdue after several reminders. "
        "Can someone help get it done, or agree a new date?"
    )
    return {"text": text}


def items_text(title: str, rows: list[ItemWithIncident], *, today: date, empty: str) -> str:
    if not rows:
        return empty
    return "\n".join([f"*{title}*"] + [f"• {item_line(row, today=today)}" for row in rows])


def my_items_text(rows: list[ItemWithIncident], *, today: date) -> str:
    if not rows:
        return "You have no open action items. :tada:"
    lines = ["*Your open action items* (services over their error budget first)"]
    lines += [f"• {item_line(row, today=today)} — {channel_mention(row.channel_id)}" for row in rows]
    return "\n".join(lines)


def review_post(review: Review) -> dict[str, Any]:
    return {"text": render_review_text(review)}


def stats_text(review: Review, budgets: list[BudgetStatus]) -> str:
    health = review.health
    lines = ["*Follow-up in this workspace*", "", "*Error budget*"]
    if not budgets:
        lines.append("No service has an SLO yet (`scribe services set NAME --slo 99.9 --window 28d`).")
    for status in budgets:
        state = "*over budget*" if status.over_budget else f"{format_duration(status.remaining)} left"
        lines.append(
            f"• *{safe_mrkdwn(status.service)}*: {status.burned_fraction:.0%} burned "
            f"({format_duration(status.spent)} of {format_duration(status.budget)}), {state}"
        )
    rate = health.close_rate
    lines += ["", "*Signals*"]
    lines.append(
        "• Closed on or before due date (last 4 weeks): "
        + (f"{rate.on_time} of {rate.considered} ({rate.rate:.0%})" if rate.rate is not None else "no items were due")
    )
    lines.append(f"• Open items: {review.open_item_count}, overdue: {len(review.overdue)}")
    lines.append(
        f"• Rollovers on open items: {health.open_rollovers} "
        f"({health.open_items_rolled_twice} items rolled twice or more)"
    )
    causes = ", ".join(f"{safe_mrkdwn(c.category)} ({c.incident_count})" for c in health.repeated_causes)
    lines.append(f"• Repeated root causes: {causes or 'none'}")
    medians = health.medians

    def shown(value: Any) -> str:
        return format_duration(value) if value is not None else "n/a"

    lines.append(
        f"• Median time from detection (MTTA / MTTM / MTTR): {shown(medians.acknowledge)} / "
        f"{shown(medians.mitigate)} / {shown(medians.resolve)} over {medians.incident_count} resolved incidents"
    )
    return "\n".join(lines)


def _modal(
    callback_id: str, title: str, blocks: list[Block], metadata: dict[str, Any], submit: str = "Save"
) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=callback_id,
        title=_plain(title),
        submit=_plain(submit),
        close=_plain("Cancel"),
        private_metadata=json.dumps(metadata),
        blocks=blocks,
    ).to_dict()


def _owner_input(label: str, initial: str | None = None) -> InputBlock:
    element = UserSelectElement(action_id=OWNER_INPUT, initial_user=initial or None)
    return InputBlock(block_id=OWNER_BLOCK, label=_plain(label), element=element)


def _due_input(initial: date | None = None) -> InputBlock:
    element = DatePickerElement(action_id=DUE_INPUT, initial_date=initial.isoformat() if initial else None)
    return InputBlock(block_id=DUE_BLOCK, label=_plain("Due date"), element=element)


def create_modal(channel_id: str) -> dict[str, Any]:
    text = InputBlock(
        block_id=TEXT_BLOCK,
        label=_plain("What needs doing"),
        element=PlainTextInputElement(action_id=TEXT_INPUT, multiline=True, max_length=500),
    )
    return _modal(
        CREATE_VIEW,
        "New action item",
        [_owner_input("Owner (one person)"), _due_input(), text],
        {"channel": channel_id},
        "Assign",
    )


def move_due_modal(row: ItemWithIncident) -> dict[str, Any]:
    intro = _section_block(f"*#{row.id}* {safe_mrkdwn(row.text)}\nMoving the date later counts as a rollover.")
    return _modal(MOVE_DUE_VIEW, "Move due date", [intro, _due_input(row.due)], {"item": row.id})


def reassign_modal(row: ItemWithIncident) -> dict[str, Any]:
    intro = _section_block(f"*#{row.id}* {safe_mrkdwn(row.text)}")
    return _modal(REASSIGN_VIEW, "Reassign", [intro, _owner_input("New owner", row.owner_id)], {"item": row.id})


def home_view(home: Home, *, today: date, public_url: str | None = None) -> dict[str, Any]:
    """The App Home tab: your open items with their buttons, then your incidents (each linked
    to its web page when ``public_url``, SCRIBE_PUBLIC_URL, is set)."""
    blocks: list[Block] = [HeaderBlock(text=_plain("Your action items"))]
    items = sorted(home.items, key=lambda r: (not (r.due is not None and r.due < today), r.due or date.max, r.id))
    if not items:
        blocks.append(_section_block("No open action items. :tada:"))
    for row in items[:40]:
        blocks.append(
            _section_block(
                f"{item_line(row, today=today)}\n_{safe_mrkdwn(row.title)}_ ({channel_mention(row.channel_id)})"
            )
        )
        blocks.append(_item_buttons_block(row.id, reassign=False))
    blocks.append(HeaderBlock(text=_plain("Your incidents")))
    if not home.incidents:
        blocks.append(_section_block("You have not taken part in an incident yet."))
    for incident in home.incidents:
        page = incident_page(public_url, incident.id)
        link = f" · {safe_link(page, 'page')}" if page else ""
        blocks.append(
            _section_block(
                f"{channel_mention(incident.channel_id)} *{safe_mrkdwn(incident.title)}* — {incident.status}{link}"
            )
        )
    return View(type="home", blocks=blocks[:100]).to_dict()


def changed_text(what: str, row: ItemWithIncident, *, today: date) -> str:
    return f"{what}\n{item_line(row, today=today)}"
