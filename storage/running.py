"""Queries for roles, status updates and update reminders. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.models import Incident
from storage.running_models import IncidentRole, StatusUpdate, UpdateSnooze
from storage.upsert import insert_for


def current_roles(session: Session, incident_id: int) -> dict[str, str]:
    """role → user id of every role given with ``/incident role`` and not handed on."""
    rows = session.execute(
        select(IncidentRole.role, IncidentRole.user_id).where(
            IncidentRole.incident_id == incident_id, IncidentRole.superseded_at.is_(None)
        )
    )
    return {str(role): str(user) for role, user in rows}


def assign_role(
    session: Session, *, incident_id: int, role: str, user_id: str, assigned_by: str | None, now: datetime
) -> IncidentRole:
    """Supersede the current holder of ``role`` (kept as history) and add the new one."""
    session.execute(
        update(IncidentRole)
        .where(
            IncidentRole.incident_id == incident_id,
            IncidentRole.role == role,
            IncidentRole.superseded_at.is_(None),
        )
        .values(superseded_at=now)
        .execution_options(synchronize_session=False)
    )
    row = IncidentRole(incident_id=incident_id, role=role, user_id=user_id, assigned_by=assigned_by, assigned_at=now)
    session.add(row)
    session.flush()
    return row


def role_history(session: Session, incident_id: int) -> Sequence[IncidentRole]:
    return session.scalars(
        select(IncidentRole).where(IncidentRole.incident_id == incident_id).order_by(IncidentRole.id)
    ).all()


def add_update(
    session: Session,
    *,
    incident_id: int,
    user_id: str | None,
    at: datetime,
    status: str,
    impact: str | None,
    next_steps: str | None,
    next_update_minutes: int | None,
) -> StatusUpdate:
    row = StatusUpdate(
        incident_id=incident_id,
        user_id=user_id,
        at=at,
        status=status,
        impact=impact,
        next_steps=next_steps,
        next_update_minutes=next_update_minutes,
    )
    session.add(row)
    session.flush()
    return row


def updates_of(session: Session, incident_id: int) -> Sequence[StatusUpdate]:
    return session.scalars(
        select(StatusUpdate).where(StatusUpdate.incident_id == incident_id).order_by(StatusUpdate.at, StatusUpdate.id)
    ).all()


def snooze(session: Session, *, incident_id: int, until: datetime, user_id: str) -> None:
    """Quiet the incident's update reminder until ``until`` (a later snooze replaces it)."""
    stmt = insert_for(session, UpdateSnooze).values(incident_id=incident_id, until=until, snoozed_by=user_id)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["incident_id"], set_={"until": stmt.excluded.until, "snoozed_by": stmt.excluded.snoozed_by}
        )
    )


@dataclass(frozen=True)
class Unresolved:
    """An open, unresolved incident, with what its update reminder needs."""

    id: int
    team_id: str
    channel_id: str
    title: str
    severity: str | None
    started_by: str | None
    started_at: datetime
    last_update_at: datetime | None
    snoozed_until: datetime | None


def unresolved_incidents(session: Session, *, severities: Sequence[str]) -> list[Unresolved]:
    """Every incident still being fought (not resolved, not closed) of these severities: one query."""
    if not severities:
        return []
    last_update = (
        select(StatusUpdate.incident_id, func.max(StatusUpdate.at).label("last_at"))
        .group_by(StatusUpdate.incident_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Incident.id,
            Incident.team_id,
            Incident.channel_id,
            Incident.title,
            Incident.severity,
            Incident.started_by,
            Incident.started_at,
            last_update.c.last_at,
            UpdateSnooze.until,
        )
        .outerjoin(last_update, last_update.c.incident_id == Incident.id)
        .outerjoin(UpdateSnooze, UpdateSnooze.incident_id == Incident.id)
        .where(
            Incident.closed_at.is_(None),
            Incident.status == "active",
            Incident.resolved_at.is_(None),
            Incident.severity.in_(list(severities)),
        )
        .order_by(Incident.id)
    )
    return [Unresolved(*row) for row in rows]


def roles_of(session: Session, incident_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """The current roles of many incidents in one query."""
    if not incident_ids:
        return {}
    found: dict[int, dict[str, str]] = {}
    rows = session.execute(
        select(IncidentRole.incident_id, IncidentRole.role, IncidentRole.user_id).where(
            IncidentRole.incident_id.in_(list(incident_ids)), IncidentRole.superseded_at.is_(None)
        )
    )
    for incident_id, role, user_id in rows:
        found.setdefault(incident_id, {})[role] = user_id
    return found


def snooze_of(session: Session, incident_id: int) -> UpdateSnooze | None:
    return session.get(UpdateSnooze, incident_id)


@dataclass(frozen=True)
class CadenceFacts:
    id: int
    severity: str | None
    started_at: datetime
    resolved_at: datetime | None
    update_times: tuple[datetime, ...]


def cadence_facts(session: Session, *, team_id: str, since: datetime) -> list[CadenceFacts]:
    """The incidents begun since ``since`` with their update times: two queries."""
    incidents = session.execute(
        select(Incident.id, Incident.severity, Incident.started_at, Incident.resolved_at)
        .where(Incident.team_id == team_id, Incident.started_at >= since)
        .order_by(Incident.id)
    ).all()
    if not incidents:
        return []
    times: dict[int, list[datetime]] = {}
    rows = session.execute(
        select(StatusUpdate.incident_id, StatusUpdate.at)
        .join(Incident, Incident.id == StatusUpdate.incident_id)
        .where(Incident.team_id == team_id, Incident.started_at >= since)
        .order_by(StatusUpdate.at)
    )
    for incident_id, at in rows:
        times.setdefault(incident_id, []).append(at)
    return [
        CadenceFacts(row.id, row.severity, row.started_at, row.resolved_at, tuple(times.get(row.id, ())))
        for row in incidents
    ]
