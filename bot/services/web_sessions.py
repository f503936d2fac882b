"""Signed-in sessions of the web pages, kept on the server: the cookie carries a random token,
the database its SHA-256 (a copy of the database is no key to anyone's session). A session
ends 12 hours after sign-in however much it is used, at sign-out (a copied cookie stops
working with it), or when Slack says the account is deactivated (bot/services/channel_access.py).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from storage import web_sessions as repo

LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Who:
    team_id: str
    user_id: str


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, *, team_id: str, user_id: str, now: datetime) -> str:
    """A new session; the token to put in the cookie."""
    token = secrets.token_urlsafe(32)
    repo.start(session, session_id=_key(token), team_id=team_id, user_id=user_id, now=now, expires_at=now + LIFETIME)
    return token


def current(session: Session, token: object, now: datetime) -> Who | None:
    """Whose session the cookie's token is, while it lasts; None for anything else."""
    if not isinstance(token, str) or not token:
        return None
    row = repo.live(session, _key(token), now)
    return Who(row.team_id, row.user_id) if row is not None else None


def end(session: Session, token: object, now: datetime) -> None:
    if isinstance(token, str) and token:
        repo.end(session, _key(token), now)
