"""Deferred-work queries. A claim is a conditional UPDATE that hands out a fresh token, and every
later change of the row names that token, so a claimer presumed dead cannot finish over the
one that took the row after it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import DeferredWork
from storage.upsert import insert_for


def enqueue(session: Session, *, team_id: str, key: str, kind: str, payload: dict[str, Any], now: datetime) -> bool:
    """Add the work unless work with this key exists; True when it was added."""
    stmt = (
        insert_for(session, DeferredWork)
        .values(
            team_id=team_id,
            key=key,
            kind=kind,
            payload=payload,
            state="pending",
            attempts=0,
            created_at=now,
            not_before=now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "key"])
        .returning(DeferredWork.id)
    )
    return session.execute(stmt).scalar() is not None


def due_ids(session: Session, *, now: datetime, limit: int, team_id: str | None = None) -> Sequence[int]:
    stmt = select(DeferredWork.id).where(DeferredWork.state == "pending", DeferredWork.not_before <= now)
    if team_id is not None:
        stmt = stmt.where(DeferredWork.team_id == team_id)
    return session.scalars(stmt.order_by(DeferredWork.id).limit(limit)).all()


def claim(session: Session, work_id: int, *, now: datetime) -> DeferredWork | None:
    """Move a pending row to 'running' under a new token; None if another process got there first."""
    token = str(uuid.uuid4())
    result = session.execute(
        update(DeferredWork)
        .where(DeferredWork.id == work_id, DeferredWork.state == "pending")
        .values(state="running", claimed_at=now, claim_token=token, attempts=DeferredWork.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(DeferredWork, work_id, populate_existing=True)


def finish(
    session: Session,
    work_id: int,
    token: str,
    *,
    state: str,
    now: datetime,
    error: str | None = None,
    not_before: datetime | None = None,
    payload: dict[str, Any] | None = None,
    counted: bool = True,
) -> bool:
    """Leave 'running' for ``state`` if ``token`` still holds the claim; False when it does not.
    ``counted=False`` gives the claim's attempt back (it did not get to try)."""
    values: dict[str, Any] = {"state": state, "last_error": error}
    if not counted:
        values["attempts"] = DeferredWork.attempts - 1
    if state in ("done", "failed"):
        values["finished_at"] = now
    if not_before is not None:
        values["not_before"] = not_before
    if payload is not None:
        values["payload"] = payload
    result = session.execute(
        update(DeferredWork)
        .where(DeferredWork.id == work_id, DeferredWork.state == "running", DeferredWork.claim_token == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def save_progress(session: Session, work_id: int, token: str, payload: dict[str, Any]) -> bool:
    """Keep what a step of the work achieved (a channel created), while the claim holds."""
    result = session.execute(
        update(DeferredWork)
        .where(DeferredWork.id == work_id, DeferredWork.state == "running", DeferredWork.claim_token == token)
        .values(payload=payload)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def stuck(
    session: Session, *, claimed_before: datetime, team_id: str | None = None, limit: int = 100
) -> Sequence[DeferredWork]:
    """Rows left 'running' by a process that died between claiming and finishing."""
    stmt = select(DeferredWork).where(DeferredWork.state == "running", DeferredWork.claimed_at < claimed_before)
    if team_id is not None:
        stmt = stmt.where(DeferredWork.team_id == team_id)
    return session.scalars(stmt.order_by(DeferredWork.id).limit(limit)).all()


def by_key(session: Session, *, team_id: str, key: str) -> DeferredWork | None:
    return session.scalars(
        select(DeferredWork).where(DeferredWork.team_id == team_id, DeferredWork.key == key)
    ).one_or_none()
