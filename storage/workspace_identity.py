"""The stored identity of the single-token install's workspace: read on every request path
instead of asking Slack, written only off it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.identity import Identity
from storage.identity_models import WorkspaceIdentity
from storage.upsert import insert_for


def identity_of(session: Session, token_key: str) -> Identity | None:
    row = session.get(WorkspaceIdentity, token_key)
    if row is None:
        return None
    return Identity(row.team_id, row.enterprise_id, row.bot_user_id, row.bot_id, row.learned_at)


def remember_team(session: Session, *, token_key: str, team_id: str, enterprise_id: str | None, now: datetime) -> None:
    """Keep the team a signed request named, when nothing is known yet for this token."""
    stmt = insert_for(session, WorkspaceIdentity).values(
        token_key=token_key,
        team_id=team_id,
        enterprise_id=enterprise_id,
        bot_user_id=None,
        bot_id=None,
        learned_at=None,
        updated_at=now,
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=["token_key"]))


def remember_identity(session: Session, *, token_key: str, identity: Identity, now: datetime) -> None:
    """Keep what ``auth.test`` answered, replacing whatever was known."""
    values = {
        "team_id": identity.team_id,
        "enterprise_id": identity.enterprise_id,
        "bot_user_id": identity.bot_user_id,
        "bot_id": identity.bot_id,
        "learned_at": identity.learned_at,
        "updated_at": now,
    }
    stmt = insert_for(session, WorkspaceIdentity).values(token_key=token_key, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["token_key"], set_=values))


def known_team(session: Session, token_key: str) -> str | None:
    return session.scalar(select(WorkspaceIdentity.team_id).where(WorkspaceIdentity.token_key == token_key))
