"""Keep and read the single-token install's workspace identity (each call its own transaction)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.core.identity import Identity
from storage import workspace_identity as repo


def known(sessions: sessionmaker[Session], token_key: str) -> Identity | None:
    with sessions() as session:
        return repo.identity_of(session, token_key)


def remember_team(
    sessions: sessionmaker[Session], *, token_key: str, team_id: str, enterprise_id: str | None, now: datetime
) -> None:
    with sessions.begin() as session:
        repo.remember_team(session, token_key=token_key, team_id=team_id, enterprise_id=enterprise_id, now=now)


def remember_identity(sessions: sessionmaker[Session], *, token_key: str, identity: Identity, now: datetime) -> None:
    with sessions.begin() as session:
        repo.remember_identity(session, token_key=token_key, identity=identity, now=now)
