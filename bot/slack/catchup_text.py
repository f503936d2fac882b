"""The catch-up as Slack shows it (``/incident catchup``, and the DM to whoever joins): a
dozen short lines from the record, under a section's 3,000 characters. Only role holders are
mentioned; everyone else is named."""

from __future__ import annotations

from datetime import datetime

from bot.core.catchup import Catchup, cut
from bot.core.durations import format_instant
from bot.core.mentions import mention
from bot.core.pages import incident_page
from bot.core.phases import PHASE_LABELS
from bot.core.record import PHASES
from bot.core.roles import ROLE_LABELS
from bot.slack.safe_text import safe_link, safe_mrkdwn, user_mention

CATCHUP_CHARS = 2900
"""Under a section's 3,000 characters, whatever the record holds."""


def _severity(severity: str | None) -> str:
    return f" ({severity})" if severity else ""


def catchup_text(catchup: Catchup, *, public_url: str | None) -> str:
    """The incident so far, for one person: a dozen short lines, under Slack's limits."""
    c = catchup
    holders = {holder.user_id for holder in c.holders}

    def who(user_id: str | None) -> str:
        if not user_id:
            return "a route"
        return mention(user_id) if user_id in holders else safe_mrkdwn(user_mention(user_id), names=c.names)

    def when(at: datetime) -> str:
        return format_instant(at, with_date=at.date() != c.started_at.date()) + " UTC"

    phases = " · ".join(
        f"{PHASE_LABELS[phase]} {format_instant(at, with_date=False) if (at := c.phases.get(phase)) else '—'}"
        for phase in PHASES
    )
    lines = [
        f":books: *Catch-up: {safe_mrkdwn(cut(c.title, 150))}*{_severity(c.severity)} — {c.status}",
        f"Started {when(c.started_at)} · {phases}",
    ]
    held = {holder.role: holder.user_id for holder in c.holders}
    lines.append(
        "*Roles:* "
        + " · ".join(f"{ROLE_LABELS[role]} {mention(held[role]) if role in held else '—'}" for role in ROLE_LABELS)
    )
    if c.last_update is not None:
        update = c.last_update
        lines.append(f"*Last update* ({when(update.at)}, {who(update.user)}): {safe_mrkdwn(cut(update.text))}")
    else:
        lines.append("*Last update:* none yet — `/incident update TEXT`")
    if c.events:
        lines.append("*Since then:*" if c.last_update is not None else "*Key events:*")
        if c.earlier_events:
            lines.append(f"_({c.earlier_events} earlier not shown)_")
        for event in c.events:
            label = PHASE_LABELS.get(event.kind, event.kind)
            text = f": {safe_mrkdwn(cut(event.text), names=c.names)}" if event.text else ""
            lines.append(f"• {when(event.at)} {label}{text}")
    if c.alerts:
        more = f" (+{c.more_alerts} more)" if c.more_alerts else ""
        lines.append("*Alerts:* " + " · ".join(safe_mrkdwn(cut(label, 80)) for label in c.alerts) + more)
    if c.open_items:
        lines.append(f"*Open action items* ({len(c.open_items) + c.more_items}):")
        for item in c.open_items:
            due = f", due {item.due.isoformat()}" if item.due else ""
            lines.append(f"• #{item.id} {safe_mrkdwn(cut(item.text, 120))} ({who(item.owner)}{due})")
    page = incident_page(public_url, c.incident_id)
    tail = f"The whole record: {safe_link(page, 'the incident page')}" if page else "`/incident status` for the phases"
    kept: list[str] = []
    for line in lines:
        if sum(len(k) + 1 for k in kept) + len(line) + len(tail) + 40 > CATCHUP_CHARS:
            kept.append("_…more in the record_")
            break
        kept.append(line)
    return "\n".join([*kept, tail])
