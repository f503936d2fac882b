"""How values look on the pages: times, durations, Slack text, people's names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from bot.core.durations import format_duration
from bot.core.mentions import mentioned_users
from bot.services.pages import IncidentPage
from bot.services.people import names_of
from bot.slack.safe_text import link_target, safe_plain_text


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(utc=utc, iso=iso, duration=duration, slack=slack_text, link_target=link_target)
    app.jinja_env.globals.update(PHASES=("detected", "acknowledged", "mitigated", "resolved"))


def utc(at: datetime | None) -> str:
    if at is None:
        return "—"
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso(at: datetime | None) -> str:
    return "" if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def duration(value: timedelta | None) -> str:
    return "—" if value is None else format_duration(value)


def slack_text(text: str | None, names: dict[str, str] | None = None) -> str:
    """A recorded Slack text as the words a person reads (mentions as @Name, links as their
    targets). Plain text: the template escapes it, so markup in a message stays text."""
    return safe_plain_text(text, names=names or {})


def names_on(session: Session, team_id: str, page: IncidentPage) -> dict[str, str]:
    entries: list[Any] = []
    for line in page.timeline.lines:
        entries.append(line.entry)
        entries.extend(reply.entry for reply in line.replies)
    users = {e.user for e in entries if e.user} | {i.owner for i in page.action_items if i.owner}
    users |= {change.user_id for change in page.changes}
    users |= {holder.user_id for holder in page.roles} | {u.user for u in page.updates if u.user}
    users |= mentioned_users([*(e.text for e in entries), *(u.text for u in page.updates)])
    return names_of(session, team_id, users)
