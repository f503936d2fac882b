"""Each workspace's own webhook secrets (multi-workspace install). Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from storage.alert_models import WebhookEndpoint
from storage.upsert import insert_for


def add(
    session: Session, *, team_id: str, source: str, secret: str, timestamp_header: str | None, now: datetime
) -> bool:
    """Keep one more valid secret; False when this workspace already had exactly this one."""
    stmt = (
        insert_for(session, WebhookEndpoint)
        .values(team_id=team_id, source=source, secret=secret, timestamp_header=timestamp_header, created_at=now)
        .on_conflict_do_nothing(index_elements=["team_id", "source", "secret"])
        .returning(WebhookEndpoint.id)
    )
    return session.execute(stmt).scalar() is not None


def of(session: Session, *, team_id: str, source: str) -> Sequence[WebhookEndpoint]:
    return session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.team_id == team_id, WebhookEndpoint.source == source)
        .order_by(WebhookEndpoint.id)
    ).all()


def all_of(session: Session, *, team_id: str | None = None) -> Sequence[WebhookEndpoint]:
    query = select(WebhookEndpoint).order_by(WebhookEndpoint.team_id, WebhookEndpoint.source, WebhookEndpoint.id)
    if team_id is not None:
        query = query.where(WebhookEndpoint.team_id == team_id)
    return session.scalars(query).all()


def remove(session: Session, *, team_id: str, source: str, endpoint_id: int | None = None) -> int:
    """Forget one secret (by id) or all of this workspace's secrets for ``source``; how many went."""
    stmt = delete(WebhookEndpoint).where(WebhookEndpoint.team_id == team_id, WebhookEndpoint.source == source)
    if endpoint_id is not None:
        stmt = stmt.where(WebhookEndpoint.id == endpoint_id)
    removed = session.execute(stmt)
    # A DELETE gives a CursorResult (which has the rowcount); Session.execute is typed as any Result.
    return (removed.rowcount or 0) if isinstance(removed, CursorResult) else 0
