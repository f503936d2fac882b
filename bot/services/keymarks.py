"""📌 reactions and pins mark a message as a key event of the incident."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.slackts import is_ts
from storage import incidents as repo
from storage import message_store as message_repo


def set_mark(
    session: Session, *, team_id: str, channel_id: str, ts: str, kind: str, user_id: str, on: bool, now: datetime
) -> bool:
    """Add or remove a mark on a message of an incident channel; False when not applicable."""
    if not is_ts(ts) or repo.incident_id_for_channel(session, team_id, channel_id) is None:
        return False
    if on:
        message_repo.set_key_mark(
            session, team_id=team_id, channel_id=channel_id, ts=ts, kind=kind, user_id=user_id, now=now
        )
    else:
        message_repo.clear_key_mark(session, team_id=team_id, channel_id=channel_id, ts=ts, kind=kind, user_id=user_id)
    return True
