"""Use cases of an incident's end: close it (its channel stops being recorded) and reopen it.

While an incident is closed, nothing said in its channel is stored (storage/live_writer.py
and storage/message_store.py write only into an open incident), so people who post afterwards are
not counted as having taken part in it. A later ``/incident start`` there begins a new
incident with its own record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.lifecycle import IncidentState, LifecycleError, check_may_close, check_may_reopen
from bot.services.errors import NotAnIncident, UserFacingError
from storage import incidents as repo
from storage.models import Incident


@dataclass(frozen=True)
class Closed:
    incident_id: int
    title: str
    closed_at: datetime


@dataclass(frozen=True)
class Reopened:
    incident_id: int
    title: str
    was_closed_at: datetime
    """Messages from then until now were not recorded."""


def _state(incident: Incident) -> IncidentState:
    return IncidentState(title=incident.title, status=incident.status, closed_at=incident.closed_at)


def close_incident(session: Session, *, team_id: str, channel_id: str, user_id: str, now: datetime) -> Closed:
    """Stop recording the channel's open incident, which must be resolved."""
    incident = repo.open_incident(session, team_id, channel_id, lock=True) or repo.find_incident(
        session, team_id, channel_id
    )
    if incident is None:
        raise NotAnIncident()
    try:
        check_may_close(_state(incident))
    except LifecycleError as error:
        raise UserFacingError(str(error)) from None
    incident.closed_at, incident.closed_by = now, user_id
    session.flush()
    return Closed(incident_id=incident.id, title=incident.title, closed_at=now)


def reopen_incident(session: Session, *, team_id: str, channel_id: str) -> Reopened:
    """Record the channel again, into its most recently closed incident."""
    # The closed one is locked first, so that a second reopen racing this one waits, then
    # finds it open (the open-incident read comes after the lock) instead of "nothing closed".
    last_closed = repo.last_closed_incident(session, team_id, channel_id, lock=True)
    open_now = repo.open_incident(session, team_id, channel_id)
    if last_closed is None and open_now is None:
        raise NotAnIncident()
    try:
        check_may_reopen(
            open_incident=_state(open_now) if open_now else None,
            last_closed=_state(last_closed) if last_closed else None,
        )
    except LifecycleError as error:
        raise UserFacingError(str(error)) from None
    assert last_closed is not None
    assert last_closed.closed_at is not None
    was_closed_at = last_closed.closed_at
    last_closed.closed_at, last_closed.closed_by = None, None
    session.flush()  # the unique index over open incidents refuses a second open one here
    return Reopened(incident_id=last_closed.id, title=last_closed.title, was_closed_at=was_closed_at)
