"""Queries for incidents, phase markers and entries. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from storage.models import Entry, Incident, PhaseMark, Workspace
from storage.upsert import insert_for


def _open_then_latest() -> tuple[Any, ...]:
    """The order a channel's incidents are read in: the open one first, then the newest."""
    return (case((Incident.closed_at.is_(None), 0), else_=1), Incident.id.desc())


def find_incident(session: Session, team_id: str, channel_id: str) -> Incident | None:
    """The channel's open incident, else its most recent one (closed)."""
    return session.scalars(
        select(Incident)
        .where(Incident.team_id == team_id, Incident.channel_id == channel_id)
        .order_by(*_open_then_latest())
        .limit(1)
    ).first()


def find_incident_by_channel(session: Session, channel_id: str) -> Incident | None:
    """For the CLI, which knows only a channel id (unique across Slack in practice): the open
    incident, else the most recent."""
    return session.scalars(
        select(Incident).where(Incident.channel_id == channel_id).order_by(*_open_then_latest()).limit(1)
    ).first()


def incident_id_for_channel(session: Session, team_id: str, channel_id: str) -> int | None:
    """The id of the channel's open incident, else of its most recent one."""
    return session.scalar(
        select(Incident.id)
        .where(Incident.team_id == team_id, Incident.channel_id == channel_id)
        .order_by(*_open_then_latest())
        .limit(1)
    )


def open_incident(session: Session, team_id: str, channel_id: str, *, lock: bool = False) -> Incident | None:
    """The channel's open incident, if any; ``lock`` holds its row until the transaction ends."""
    stmt = select(Incident).where(
        Incident.team_id == team_id, Incident.channel_id == channel_id, Incident.closed_at.is_(None)
    )
    return session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()


def last_closed_incident(session: Session, team_id: str, channel_id: str, *, lock: bool = False) -> Incident | None:
    """The channel's most recently closed incident, if any; ``lock`` holds its row."""
    stmt = (
        select(Incident)
        .where(Incident.team_id == team_id, Incident.channel_id == channel_id, Incident.closed_at.is_not(None))
        .order_by(Incident.closed_at.desc(), Incident.id.desc())
        .limit(1)
    )
    return session.scalars(stmt.with_for_update() if lock else stmt).first()


def last_closed_at(session: Session, team_id: str, channel_id: str) -> datetime | None:
    """When the channel's most recently closed incident was closed, if one was."""
    return session.scalar(
        select(func.max(Incident.closed_at)).where(Incident.team_id == team_id, Incident.channel_id == channel_id)
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
    """Create an incident unless the channel has an open one; returns None in that case.

    Closed incidents of the channel do not count: a channel can hold a later incident."""
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
        .on_conflict_do_nothing(index_elements=["team_id", "channel_id"], index_where=Incident.closed_at.is_(None))
        .returning(Incident.id)
    )
    new_id = session.execute(stmt).scalar()
    return session.get(Incident, new_id) if new_id is not None else None


def current_phase_marks(session: Session, incident_id: int) -> dict[str, PhaseMark]:
    marks = session.scalars(
        select(PhaseMark).where(PhaseMark.incident_id == incident_id, PhaseMark.superseded_at.is_(None))
    )
    return {mark.phase: mark for mark in marks}


def phase_history(session: Session, incident_id: int) -> Sequence[PhaseMark]:
    return session.scalars(select(PhaseMark).where(PhaseMark.incident_id == incident_id).order_by(PhaseMark.id)).all()


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
    mark = PhaseMark(incident_id=incident_id, phase=phase, at=at, note=note, user_id=user_id, created_at=now)
    session.add(mark)
    session.flush()
    return mark


def add_entry(session: Session, *, incident_id: int, kind: str, text: str, user_id: str | None, at: datetime) -> Entry:
    entry = Entry(incident_id=incident_id, kind=kind, text=text, user_id=user_id, at=at)
    session.add(entry)
    session.flush()
    return entry


def entries_for(session: Session, incident_id: int) -> Sequence[Entry]:
    return session.scalars(select(Entry).where(Entry.incident_id == incident_id).order_by(Entry.at, Entry.id)).all()


def remember_workspace(session: Session, *, team_id: str, name: str | None, url: str | None, now: datetime) -> None:
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
    return (
        session.scalar(select(Entry.id).where(Entry.incident_id == incident_id, Entry.kind == kind).limit(1))
        is not None
    )
