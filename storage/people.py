"""The users.info cache."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import SlackUser
from storage.upsert import insert_for


def cached_user(session: Session, team_id: str, user_id: str) -> SlackUser | None:
    return session.scalars(
        select(SlackUser).where(SlackUser.team_id == team_id, SlackUser.user_id == user_id)
    ).one_or_none()


def remember_user(
    session: Session, *, team_id: str, user_id: str, name: str | None, tz: str | None, now: datetime
) -> None:
    stmt = insert_for(session, SlackUser).values(team_id=team_id, user_id=user_id, name=name, tz=tz, fetched_at=now)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["team_id", "user_id"],
            set_={"name": stmt.excluded.name, "tz": stmt.excluded.tz, "fetched_at": now},
        )
    )
