"""Queries for incidents, phase markers and entries. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Entry, Incident, PhaseMark, Workspace
from storage.upsert import insert_for


def find_incident(session: Session, team_id: str, channel_id: str) -> Incident | None:
    return session.scalars(
        select(Incident).where(Incident.team_id == team_id, Incident.channel_id == channel_id)
    ).one_or_none()


def find_incident_by_channel(session: Session, channel_id: str) -> Incident | None:
    """For the CLI, which knows only a channel id (unique across Slack in practice)."""
    return session.scalars(
        select(Incident).where(Incident.channel_id == channel_id).order_by(Incident.id)
    ).first()


def incident_id_for_channel(session: Session, team_id: str, channel_id: str) -> int | None:
    return session.scalar(
        select(Incident.id).where(Incident.team_id == team_id, Incident.channel_id == channel_id)
    )


def create_incident(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    title: str,
    severity: str | None,
    started_by: str | None,
    started_at: datetime,
) -> Incident | None:
    """Create the incident unless the channel already is one; returns None in that case."""
    stmt = (
        insert_for(session, Incident)
        .values(
            team_id=team_id,
            channel_id=channel_id,
            title=title,
            severity=severity,
            status="active",
            started_by=started_by,
            started_at=started_at,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "channel_id"])
        .returning(Incident.id)
    )
    new_id = session.execute(stmt).scalar()
    return session.get(Incident, new_id) if new_id is not None else None


def current_phase_marks(session: Session, incident_id: int) -> dict[str, PhaseMark]:
    marks = session.scalars(
        select(PhaseMark).where(
            PhaseMark.incident_id == incident_id, PhaseMark.superseded_at.is_(None)
        )
    )
    return {mark.phase: mark for mark in marks}


def phase_history(session: Session, incident_id: int) -> Sequence[PhaseMark]:
    return session.scalars(
        select(PhaseMark).where(PhaseMark.incident_id == incident_id).order_by(PhaseMark.id)
    ).all()


def set_phase_mark(
    session: Session,
    *,
    incident_id: int,
    phase: str,
    at: datetime,
    note: str | None,
    user_id: str | None,
    now: datetime,
) -> PhaseMark:
    """Supersede the current marker of ``phase`` (kept as history) and add the new one."""
    session.execute(
        update(PhaseMark)
        .where(
            PhaseMark.incident_id == incident_id,
            PhaseMark.phase == phase,
            PhaseMark.superseded_at.is_(None),
        )
        .values(superseded_at=now)
    )
    mark = PhaseMark(
        incident_id=incident_id, phase=phase, at=at, note=note, user_id=user_id, created_at=now
    )
    session.add(mark)
    session.flush()
    return mark


def add_entry(
    session: Session, *, incident_id: int, kind: str, text: str, user_id: str | None, at: datetime
) -> Entry:
    entry = Entry(incident_id=incident_id, kind=kind, text=text, user_id=user_id, at=at)
    session.add(entry)
    session.flush()
    return entry


def entries_for(session: Session, incident_id: int) -> Sequence[Entry]:
    return session.scalars(
        select(Entry).where(Entry.incident_id == incident_id).order_by(Entry.at, Entry.id)
    ).all()


def remember_workspace(
    session: Session, *, team_id: str, name: str | None, url: str | None, now: datetime
) -> None:
    stmt = insert_for(session, Workspace).values(team_id=team_id, name=name, url=url, updated_at=now)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["team_id"],
            set_={"name": stmt.excluded.name, "url": stmt.excluded.url, "updated_at": now},
        )
    )


def workspace_url(session: Session, team_id: str) -> str | None:
    return session.scalar(select(Workspace.url).where(Workspace.team_id == team_id))


def has_entry(session: Session, incident_id: int, kind: str) -> bool:
    return session.scalar(select(Entry.id).where(Entry.incident_id == incident_id, Entry.kind == kind).limit(1)) is not None
