"""Use cases of the live record: start, capture, mark phases, add notes, read status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.core import phases as phase_rules
from bot.core.alert_phases import combine_phases
from bot.core.grammar import StartArgs
from bot.core.message_changes import MessageChange, MessageDeletion, MessagePost
from bot.core.record import PHASES, AlertPhases, TypedMark
from bot.services.errors import NotAnIncident, UserFacingError
from storage import alert_links as alert_repo
from storage import incidents as repo
from storage import message_store as message_repo
from storage import people as people_repo
from storage.group_commit import GroupCommit
from storage.live_writer import LiveRow, live_message_commits, live_row
from storage.models import Incident


@dataclass(frozen=True)
class Started:
    incident_id: int
    created: bool
    title: str
    severity: str | None


@dataclass(frozen=True)
class Marked:
    phase: str
    at: datetime
    previous_at: datetime | None
    """The time this phase had before, when the marker corrects an earlier one."""
    phases: dict[str, datetime | None]


def require_incident(session: Session, team_id: str, channel_id: str) -> Incident:
    """The channel's open incident, else its most recent (closed) one."""
    incident = repo.find_incident(session, team_id, channel_id)
    if incident is None:
        raise NotAnIncident()
    return incident


def records_channel(session: Session, *, team_id: str, channel_id: str) -> bool:
    """Whether an incident (open or closed) is recorded in this channel."""
    return repo.incident_id_for_channel(session, team_id, channel_id) is not None


def start_incident(
    session: Session, *, team_id: str, channel_id: str, args: StartArgs, user_id: str, now: datetime
) -> Started:
    """Make the channel an incident channel. Starting it again while its incident is open changes
    nothing; once that incident is closed, it starts a new one."""
    created = repo.create_incident(
        session,
        team_id=team_id,
        channel_id=channel_id,
        title=args.title,
        severity=args.severity,
        started_by=user_id,
        started_at=now,
    )
    incident = created or require_incident(session, team_id, channel_id)
    return Started(incident.id, created is not None, incident.title, incident.severity)


MessageWrites = GroupCommit[LiveRow]
"""The ingest hot path: live message writes, gathered into one commit per moment and process."""


def message_writes(engine: Engine) -> MessageWrites:
    """The group commit that writes live messages into ``engine``'s database."""
    return live_message_commits(engine)


def record_message(writes: GroupCommit[LiveRow], *, team_id: str, channel_id: str, change: MessageChange) -> None:
    """Store a message event if the channel is an incident channel; return once committed.

    This is the hot path of ingest: one statement, which finds the incident and upserts, run
    in a group commit with the other requests of the moment."""
    if not isinstance(change, (MessagePost, MessageDeletion)):
        return
    writes.execute(live_row(change, team_id=team_id, channel_id=channel_id))


def phase_times(session: Session, incident_id: int) -> dict[str, datetime | None]:
    current = repo.current_phase_marks(session, incident_id)
    return {phase: current[phase].at if phase in current else None for phase in PHASES}


def mark_phase(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    phase: str,
    at: datetime,
    note: str | None,
    user_id: str,
    now: datetime,
) -> Marked:
    """Set a phase marker, keeping phases in order; a repeated phase corrects the earlier one."""
    incident = require_incident(session, team_id, channel_id)
    if at > now:
        raise UserFacingError(
            f"{at:%Y-%m-%d %H:%M} UTC is in the future; a phase can only be marked for a time that has passed."
        )
    times = phase_times(session, incident.id)
    try:
        phase_rules.check_order(times, phase, at)
    except phase_rules.PhaseError as error:
        raise UserFacingError(str(error)) from None
    previous = times[phase]
    repo.set_phase_mark(session, incident_id=incident.id, phase=phase, at=at, note=note, user_id=user_id, now=now)
    times[phase] = at
    if phase == "resolved":
        incident.status = "resolved"
        incident.resolved_at = at
    events = alert_repo.linked_events(session, incident)
    if events:  # what the incident now uses, alert times filling what nobody marked
        marks = {name: TypedMark(when, None) for name, when in times.items() if when is not None}
        times = combine_phases(marks, events).phases.as_dict()
    return Marked(phase=phase, at=at, previous_at=previous, phases=times)


def add_entry(
    session: Session, *, team_id: str, channel_id: str, kind: str, text: str, user_id: str, now: datetime
) -> int:
    incident = require_incident(session, team_id, channel_id)
    return repo.add_entry(session, incident_id=incident.id, kind=kind, text=text, user_id=user_id, at=now).id


@dataclass(frozen=True)
class Status:
    title: str
    severity: str | None
    status: str
    """"active", "resolved", or "closed" (resolved, and no longer recorded)."""
    started_at: datetime
    phases: dict[str, datetime | None]
    """Marks, with linked alerts' times filling what nobody marked."""
    message_count: int
    alert_phases: AlertPhases | None = None
    """Where alert-set phases come from, when alerts are linked."""
    names: dict[str, str] = field(default_factory=dict)
    """Known names (user id → name) of the people who marked those phases."""
    incident_id: int = 0


def incident_status(session: Session, *, team_id: str, channel_id: str) -> Status:
    incident = require_incident(session, team_id, channel_id)
    current = repo.current_phase_marks(session, incident.id)
    phases = {phase: current[phase].at if phase in current else None for phase in PHASES}
    combined, names = None, {}
    events = alert_repo.linked_events(session, incident)
    if events:
        combined = combine_phases({phase: TypedMark(mark.at, mark.user_id) for phase, mark in current.items()}, events)
        phases = combined.phases.as_dict()
        markers = [source.marked.user for source in combined.sources if source.marked and source.marked.user]
        names = people_repo.names_of(session, team_id, markers)
    return Status(
        title=incident.title,
        severity=incident.severity,
        status="closed" if incident.closed_at is not None else incident.status,
        started_at=incident.started_at,
        phases=phases,
        message_count=message_repo.count_messages(session, incident.id),
        alert_phases=combined,
        names=names,
        incident_id=incident.id,
    )
