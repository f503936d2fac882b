"""The web pages' sessions, kept on the server (storage/access_models.py ``WebSession``): a
cookie is only as good as its row. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from storage.access_models import WebSession


def start(
    session: Session, *, session_id: str, team_id: str, user_id: str, now: datetime, expires_at: datetime
) -> None:
    """A new session; this person's ended and expired ones are dropped on the way."""
    session.execute(
        delete(WebSession).where(
            WebSession.team_id == team_id,
            WebSession.user_id == user_id,
            or_(WebSession.ended_at.is_not(None), WebSession.expires_at <= now),
        )
    )
    session.add(
        WebSession(
            id=session_id, team_id=team_id, user_id=user_id, started_at=now, expires_at=expires_at, ended_at=None
        )
    )


def live(session: Session, session_id: str, now: datetime) -> WebSession | None:
    """The session, unless it has ended or expired."""
    return session.scalar(
        select(WebSession).where(
            WebSession.id == session_id, WebSession.ended_at.is_(None), WebSession.expires_at > now
        )
    )


def end(session: Session, session_id: str, now: datetime) -> None:
    session.execute(
        update(WebSession).where(WebSession.id == session_id, WebSession.ended_at.is_(None)).values(ended_at=now)
    )


def end_all_of(session: Session, *, team_id: str, user_id: str, now: datetime) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.team_id == team_id, WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
