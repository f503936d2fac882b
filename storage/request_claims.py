"""Requests seen once: a unique key per request decides, inside the transaction of its effect."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import RequestClaim
from storage.upsert import insert_for


def claim(session: Session, *, team_id: str, key: str, now: datetime, since: datetime) -> bool:
    """Take ``key`` unless it was taken at or after ``since``; True when this request took it.

    One statement (``INSERT … ON CONFLICT DO UPDATE … WHERE``), so of two identical requests
    racing, the second waits for the first's transaction and then finds the key taken; if the
    first rolls back (its effect was refused), the key is free again.
    """
    stmt = insert_for(session, RequestClaim).values(team_id=team_id, key=key, claimed_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["team_id", "key"],
        set_={"claimed_at": stmt.excluded.claimed_at},
        where=RequestClaim.claimed_at < since,
    ).returning(RequestClaim.key)
    return session.execute(stmt).scalar() is not None


def claimed_at(session: Session, *, team_id: str, key: str) -> datetime | None:
    return session.scalar(
        select(RequestClaim.claimed_at).where(RequestClaim.team_id == team_id, RequestClaim.key == key)
    )
