"""Use cases of status updates: post one, snooze the reminder, and queue the reminders due.

Each reminder goes out at most once, whatever happens: its outbox key names the incident, the
moment the interval counts from (the last update, else the start) and which interval it is
(``remind:<incident>:<anchor>:<n>``), unique per workspace. A rerun of the clock, or a second
clock racing it, finds the key taken and queues nothing; the outbox then sends the row once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.core.record import StatusUpdateView
from bot.core.roles import commander_of, current_holders
from bot.core.updates import SNOOZE_FOR, ReminderDue, UpdateFields, reminder_due
from bot.services.errors import UserFacingError
from bot.services.roles import open_incident
from storage import incidents as incident_repo
from storage import outbox as outbox_repo
from storage import people as people_repo
from storage import running as repo
from storage.models import Incident
from storage.outbox import Post
from storage.running import Unresolved
from storage.running_models import UpdateSnooze

UPDATE_NOTE = "Status update: "


@dataclass(frozen=True)
class Posted:
    update_id: int
    incident_id: int
    title: str
    severity: str | None
    channel_id: str
    at: datetime
    workspace_url: str | None
    commander: str | None = None
    holders: frozenset[str] = frozenset()
    """Everyone holding a role: the only people an update mentions."""
    poster_name: str | None = None
    """The cached name of whoever posted it (shown, not mentioned, unless they hold a role)."""


def post_update(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    fields: UpdateFields,
    user_id: str,
    now: datetime,
    name_hint: str | None = None,
) -> Posted:
    """Record a status update of the channel's open incident; it is also a timeline note.
    ``name_hint``: the poster's name as Slack sent it, for when the people cache has none."""
    incident = open_incident(session, team_id, channel_id)
    row = repo.add_update(
        session,
        incident_id=incident.id,
        user_id=user_id,
        at=now,
        status=fields.status,
        impact=fields.impact,
        next_steps=fields.next_steps,
        next_update_minutes=fields.next_update_minutes,
    )
    incident_repo.add_entry(
        session, incident_id=incident.id, kind="note", text=UPDATE_NOTE + fields.as_text(), user_id=user_id, at=now
    )
    assigned = repo.current_roles(session, incident.id)
    return Posted(
        row.id,
        incident.id,
        incident.title,
        incident.severity,
        channel_id,
        now,
        incident_repo.workspace_url(session, team_id),
        commander_of(assigned, started_by=incident.started_by),
        frozenset(h.user_id for h in current_holders(assigned, started_by=incident.started_by)),
        people_repo.names_of(session, team_id, [user_id]).get(user_id) or name_hint,
    )


def incident_by_id(session: Session, *, team_id: str, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None or incident.team_id != team_id:
        raise UserFacingError("That incident is not known here any more.")
    return incident


def snooze(session: Session, *, team_id: str, incident_id: int, user_id: str, now: datetime) -> datetime:
    """Quiet the incident's update reminder for ``SNOOZE_FOR``; returns until when."""
    incident_by_id(session, team_id=team_id, incident_id=incident_id)
    until = now + SNOOZE_FOR
    repo.snooze(session, incident_id=incident_id, until=until, user_id=user_id)
    return until


@dataclass(frozen=True)
class Reminder:
    incident: Unresolved
    due: ReminderDue
    every: timedelta
    commander: str | None
    """Who is reminded (by DM); None: nobody started it (a route declared it), so the channel is."""

    @property
    def outbox_key(self) -> str:
        return f"remind:{self.incident.id}:{self.due.key}"


def queue_reminders(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    every: Mapping[str, timedelta],
    render: Callable[[Reminder], dict[str, Any]],
) -> list[Reminder]:
    """Queue every update reminder due at ``now``; returns those this pass queued. A constant
    number of statements, whatever the number of incidents: the incidents with their last
    update and snooze, their roles, the reminders already queued, one insert of the rest."""
    with sessions.begin() as session:
        incidents = repo.unresolved_incidents(session, severities=list(every))
        roles = repo.roles_of(session, [incident.id for incident in incidents])
        due: list[Reminder] = []
        for incident in incidents:
            target = every.get(incident.severity or "")
            found = reminder_due(
                now,
                every=target,
                started_at=incident.started_at,
                last_update_at=incident.last_update_at,
                snoozed_until=incident.snoozed_until,
            )
            if found is not None and target is not None:
                commander = commander_of(roles.get(incident.id, {}), started_by=incident.started_by)
                due.append(Reminder(incident, found, target, commander))
        queued = outbox_repo.existing_keys(session, [(r.incident.team_id, r.outbox_key) for r in due])
        fresh = [r for r in due if f"{r.incident.team_id}/{r.outbox_key}" not in queued]
        won = outbox_repo.enqueue_new(
            session,
            [
                Post(
                    r.incident.team_id,
                    r.outbox_key,
                    "dm" if r.commander else "message",
                    r.commander or r.incident.channel_id,
                    render(r),
                )
                for r in fresh
            ],
            now=now,
        )
    return [r for r in fresh if f"{r.incident.team_id}/{r.outbox_key}" in won]


def current_snooze(session: Session, *, incident_id: int) -> UpdateSnooze | None:
    return repo.snooze_of(session, incident_id)


def update_views(session: Session, incident_id: int) -> tuple[StatusUpdateView, ...]:
    """The incident's status updates as pages show them, newest first."""
    return tuple(
        StatusUpdateView(
            row.at, row.user_id, UpdateFields(row.status, row.impact, row.next_steps, row.next_update_minutes).as_text()
        )
        for row in reversed(repo.updates_of(session, incident_id))
    )
