"""Each workspace's choice of channel for its weekly review and its incident announcements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import WorkspaceChannel
from storage.upsert import insert_for


def choose(
    session: Session, *, team_id: str, purpose: str, channel_id: str | None, user_id: str, now: datetime
) -> None:
    """Record the workspace's choice (``None``: off); choosing again replaces it."""
    stmt = insert_for(session, WorkspaceChannel).values(
        team_id=team_id, purpose=purpose, channel_id=channel_id, chosen_by=user_id, chosen_at=now
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["team_id", "purpose"],
            set_={
                "channel_id": stmt.excluded.channel_id,
                "chosen_by": stmt.excluded.chosen_by,
                "chosen_at": stmt.excluded.chosen_at,
            },
        )
    )


def choice(session: Session, *, team_id: str, purpose: str) -> WorkspaceChannel | None:
    return session.scalar(
        select(WorkspaceChannel).where(WorkspaceChannel.team_id == team_id, WorkspaceChannel.purpose == purpose)
    )
