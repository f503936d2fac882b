"""The users.info cache."""

from __future__ import annotations

from collections.abc import Iterable
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


def names_of(session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    """The cached names of these users of the workspace (those with one)."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(SlackUser.user_id, SlackUser.name).where(
            SlackUser.team_id == team_id, SlackUser.user_id.in_(wanted), SlackUser.name.is_not(None)
        )
    )
    return {user_id: name for user_id, name in rows if name}
