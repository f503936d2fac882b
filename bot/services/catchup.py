"""The catch-up of an incident (``/incident catchup``, and for whoever joins its channel)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.catchup import (
    MAX_ALERTS,
    MAX_ITEMS,
    Catchup,
    KeyEvent,
    LastUpdate,
    OpenItem,
    first,
    key_events_since,
)
from bot.core.updates import UpdateFields
from bot.services.errors import NotAnIncident
from bot.services.roles import holders_of
from bot.services.status_updates import UPDATE_NOTE
from storage import actions as action_repo
from storage import alert_links as alert_repo
from storage import incidents as incident_repo
from storage import people as people_repo
from storage import running as repo
from storage.models import Incident

KEY_KINDS = frozenset({"note", "impact", "cause", "factor"})


def catchup_of_channel(session: Session, *, team_id: str, channel_id: str) -> Catchup:
    incident = incident_repo.find_incident(session, team_id, channel_id)
    if incident is None:
        raise NotAnIncident()
    return catchup_of(session, incident)


def open_incident_of(session: Session, *, team_id: str, channel_id: str) -> Incident | None:
    return incident_repo.open_incident(session, team_id, channel_id)


def catchup_of(session: Session, incident: Incident) -> Catchup:
    marks = incident_repo.current_phase_marks(session, incident.id)
    phases: dict[str, datetime | None] = {phase: mark.at for phase, mark in marks.items()}
    updates = repo.updates_of(session, incident.id)
    last = updates[-1] if updates else None
    last_update = (
        LastUpdate(
            last.at,
            last.user_id,
            UpdateFields(last.status, last.impact, last.next_steps, last.next_update_minutes).as_text(),
        )
        if last is not None
        else None
    )
    events = [
        KeyEvent(entry.at, entry.kind, entry.text, entry.user_id)
        for entry in incident_repo.entries_for(session, incident.id)
        if entry.kind in KEY_KINDS and not entry.text.startswith(UPDATE_NOTE)
    ]
    events += [KeyEvent(mark.at, phase, mark.note or "", mark.user_id) for phase, mark in marks.items()]
    shown, earlier = key_events_since(events, last.at if last is not None else None)
    labels = list(dict.fromkeys(link.label for link in alert_repo.links_of(session, incident.id)))
    alerts, more_alerts = first(labels, MAX_ALERTS)
    items = [
        OpenItem(row.id, row.owner_id, row.due, row.text)
        for row in action_repo.incident_items(session, incident.team_id, incident.id)
        if row.status == "open"
    ]
    people = {u for u in (*(e.user for e in shown), *(i.owner for i in items), last_update and last_update.user) if u}
    return Catchup(
        incident_id=incident.id,
        channel_id=incident.channel_id,
        title=incident.title,
        severity=incident.severity,
        status="closed" if incident.closed_at is not None else incident.status,
        started_at=incident.started_at,
        phases=phases,
        holders=holders_of(session, incident),
        last_update=last_update,
        events=shown,
        earlier_events=earlier,
        alerts=alerts,
        more_alerts=more_alerts,
        open_items=items[:MAX_ITEMS],
        more_items=max(0, len(items) - MAX_ITEMS),
        names=people_repo.names_of(session, incident.team_id, sorted(people)),
    )
