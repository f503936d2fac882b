"""Use cases of incident roles: give one (a handoff when someone had it), list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.roles import Holder, current_holders, handoff_note
from bot.services.errors import NotAnIncident, UserFacingError
from storage import incidents as incident_repo
from storage import running as repo
from storage.models import Incident


@dataclass(frozen=True)
class Assigned:
    incident_id: int
    title: str
    severity: str | None
    role: str
    user_id: str
    previous: str | None
    """Who held the role before (the starter, for a commander never given), or None."""
    changed: bool
    """False when the person already held the role: nothing was written."""
    assignment_id: int = 0


def open_incident(session: Session, team_id: str, channel_id: str) -> Incident:
    """The channel's open incident; a closed one is refused with why."""
    incident = incident_repo.open_incident(session, team_id, channel_id)
    if incident is not None:
        return incident
    if incident_repo.find_incident(session, team_id, channel_id) is not None:
        raise UserFacingError(
            "This incident is closed, so its roles and updates are settled. `/incident reopen` records it again."
        )
    raise NotAnIncident()


def assign(
    session: Session, *, team_id: str, channel_id: str, role: str, user_id: str, by: str, now: datetime
) -> Assigned:
    """Give ``role`` to ``user_id``; the handoff is a timeline note."""
    incident = open_incident(session, team_id, channel_id)
    assigned = repo.current_roles(session, incident.id)
    previous = assigned.get(role) or (incident.started_by if role == "commander" else None)
    if previous == user_id:
        return Assigned(incident.id, incident.title, incident.severity, role, user_id, previous, changed=False)
    row = repo.assign_role(session, incident_id=incident.id, role=role, user_id=user_id, assigned_by=by, now=now)
    incident_repo.add_entry(
        session, incident_id=incident.id, kind="note", text=handoff_note(role, user_id, previous), user_id=by, at=now
    )
    return Assigned(
        incident.id, incident.title, incident.severity, role, user_id, previous, changed=True, assignment_id=row.id
    )


@dataclass(frozen=True)
class Roles:
    title: str
    holders: list[Holder]


def roles_of(session: Session, *, team_id: str, channel_id: str) -> Roles:
    incident = incident_repo.find_incident(session, team_id, channel_id)
    if incident is None:
        raise NotAnIncident()
    return Roles(incident.title, holders_of(session, incident))


def holders_of(session: Session, incident: Incident) -> list[Holder]:
    return current_holders(repo.current_roles(session, incident.id), started_by=incident.started_by)
