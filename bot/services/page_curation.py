"""Curating an incident's timeline from its page: the same rules and change log as
``/incident hide|star`` (bot/services/curation.py), for an incident the person may read."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bot.services import curation
from bot.services.curation import CurationRefused
from bot.services.pages import BadRequest, readable

SIMPLE = {
    "star": curation.star_entry,
    "unstar": curation.unstar_entry,
    "hide": curation.hide_entry,
    "unhide": curation.unhide_entry,
}


def read_time(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` in UTC, as the page shows times."""
    try:
        moment = datetime.fromisoformat(text.strip().removesuffix("UTC").strip())
    except ValueError:
        raise BadRequest(f"“{text[:40]}” is not a time like 2026-11-29 14:05:00 (UTC).") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def change_entry(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    incident_id: int,
    entry_id: str,
    action: str,
    text: str | None,
    at: str | None,
    now: datetime,
) -> bool:
    """Star, unstar, hide, unhide or correct one entry; False when it already was so.
    Raises CurationRefused (the rules said no) or BadRequest (the form was wrong)."""
    readable(session, team_id=team_id, user_id=user_id, incident_id=incident_id)
    if action in SIMPLE:
        result = SIMPLE[action](
            session, team_id=team_id, incident_id=incident_id, entry_id=entry_id, user_id=user_id, now=now
        )
        return result.changed
    if action != "correct":
        raise BadRequest(f"There is no curation {action!r}.")
    new_text = text if text and text.strip() else None
    new_time = read_time(at) if at and at.strip() else None
    if new_text is None and new_time is None:
        raise CurationRefused("Give a corrected text, a corrected time, or both.")
    results = curation.correct_entry(
        session,
        team_id=team_id,
        incident_id=incident_id,
        entry_id=entry_id,
        user_id=user_id,
        now=now,
        text=new_text,
        at=new_time,
    )
    return any(r.changed for r in results)


def undo(session: Session, *, team_id: str, user_id: str, incident_id: int, change_id: int, now: datetime) -> None:
    readable(session, team_id=team_id, user_id=user_id, incident_id=incident_id)
    curation.undo_change(
        session, team_id=team_id, incident_id=incident_id, change_id=change_id, user_id=user_id, now=now
    )
