"""Service SLOs. A row for team '*' applies to every workspace; a workspace's own row wins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.action_models import ServiceSlo
from storage.upsert import insert_for

ALL_TEAMS = "*"


def set_slo(
    session: Session, *, team_id: str, name: str, target_percent: float, window_seconds: int, now: datetime
) -> None:
    stmt = insert_for(session, ServiceSlo).values(
        team_id=team_id, name=name, target_percent=target_percent, window_seconds=window_seconds, updated_at=now
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["team_id", "name"],
            set_={"target_percent": target_percent, "window_seconds": window_seconds, "updated_at": now},
        )
    )


def slos_for(session: Session, team_id: str) -> list[ServiceSlo]:
    """The SLOs that apply to a workspace, one per service name."""
    rows = session.scalars(select(ServiceSlo).where(ServiceSlo.team_id.in_((team_id, ALL_TEAMS)))).all()
    chosen: dict[str, ServiceSlo] = {}
    for row in sorted(rows, key=lambda r: r.team_id != ALL_TEAMS):  # '*' first, own rows override
        chosen[row.name] = row
    return sorted(chosen.values(), key=lambda r: r.name)


def all_slos(session: Session) -> Sequence[ServiceSlo]:
    return session.scalars(select(ServiceSlo).order_by(ServiceSlo.name, ServiceSlo.team_id)).all()
