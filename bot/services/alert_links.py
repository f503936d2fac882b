"""Use cases of joining alerts to incidents: link, list, unlink, and links found in messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.alert_events import AlertKey, AlertSource
from bot.core.alert_links import LinkTarget, describe_key, event_matches, keys_in_text, parse_link_target
from bot.core.grammar import CommandError
from bot.services.errors import UserFacingError
from bot.services.incidents import require_incident
from storage import alert_links as repo
from storage import incidents as incident_repo
from storage.alert_link_models import AlertLink
from storage.models import Incident


@dataclass(frozen=True)
class LinkGroup:
    """What ``/incident links`` shows as one line: the handles one ``link`` made."""

    number: int
    label: str
    keys: tuple[AlertKey, ...]
    via: str
    user_id: str | None
    events: int
    """How many of the incident's alert events it finds."""


@dataclass(frozen=True)
class Linked:
    label: str
    new: bool
    events: int
    """How many events it finds now (the ones that arrived before the link included)."""


def _open_incident_for(session: Session, team_id: str, channel_id: str) -> Incident:
    incident = require_incident(session, team_id, channel_id)
    if incident.closed_at is not None:
        raise UserFacingError(
            "This incident is closed, so no alert can be linked to it. `/incident reopen` records it again."
        )
    return incident


def link(session: Session, *, team_id: str, channel_id: str, target: LinkTarget, user_id: str, now: datetime) -> Linked:
    """Link every handle ``target`` can mean to the channel's open incident (again, if it was unlinked)."""
    incident = _open_incident_for(session, team_id, channel_id)
    new = False
    for key in sorted(target.keys, key=lambda key: (key.source, key.kind, key.value)):
        new |= repo.add_link(
            session,
            incident_id=incident.id,
            team_id=team_id,
            key=key,
            label=target.text,
            via="command",
            user_id=user_id,
            now=now,
            restore=True,
        )
    session.flush()
    events = [event for event in repo.linked_events(session, incident) if event_matches(target.keys, event)]
    return Linked(label=target.text, new=new, events=len(events))


def link_groups(session: Session, *, team_id: str, channel_id: str) -> list[LinkGroup]:
    """The incident's links, one group per ``link`` that made them, numbered from 1."""
    incident = require_incident(session, team_id, channel_id)
    return _groups(session, incident)


def _groups(session: Session, incident: Incident) -> list[LinkGroup]:
    rows = repo.links_of(session, incident.id)
    events = repo.linked_events(session, incident)
    by_label: dict[str, list[AlertLink]] = {}
    for row in rows:
        by_label.setdefault(row.label, []).append(row)
    groups = []
    for number, (label, members) in enumerate(by_label.items(), start=1):
        keys = tuple(AlertKey(AlertSource(row.source), row.kind, row.value) for row in members)
        groups.append(
            LinkGroup(
                number=number,
                label=label,
                keys=keys,
                via=members[0].via,
                user_id=members[0].created_by,
                events=sum(1 for event in events if event_matches(keys, event)),
            )
        )
    return groups


def unlink(session: Session, *, team_id: str, channel_id: str, which: str, user_id: str, now: datetime) -> LinkGroup:
    """Remove one link: by its number in ``/incident links``, or by what was linked."""
    incident = require_incident(session, team_id, channel_id)
    which = which.strip()
    groups = _groups(session, incident)
    if not which:
        raise UserFacingError("Say which link to remove: `/incident unlink N` (the number in `/incident links`).")
    if not groups:
        raise UserFacingError("This incident has no alerts linked, so there is nothing to unlink.")
    chosen = None
    if which.isdigit() and len(which) <= 4:
        chosen = next((group for group in groups if group.number == int(which)), None)
    if chosen is None:
        chosen = next((group for group in groups if group.label == which), None)
    if chosen is None:
        try:
            wanted = parse_link_target(which).keys
        except CommandError:
            wanted = frozenset()
        chosen = next((group for group in groups if wanted and set(group.keys) <= wanted), None)
    if chosen is None:
        numbers = ", ".join(str(group.number) for group in groups)
        raise UserFacingError(
            f"No link of this incident is “{which[:60]}”. `/incident links` lists them; unlink one by its number "
            f"({numbers})."
        )
    ids = [row.id for row in repo.links_of(session, incident.id) if row.label == chosen.label]
    repo.remove_links(session, ids, user_id=user_id, now=now)
    return chosen


def link_from_message(
    session: Session, *, team_id: str, channel_id: str, text: str | None, user_id: str | None, now: datetime
) -> tuple[int | None, list[AlertKey]]:
    """Link the PagerDuty incidents and Opsgenie alerts a recorded message points at to the
    channel's open incident: ``(incident id, the keys linked just now)``. A key linked before, or
    unlinked by a person, is left as it is, so each is announced once."""
    keys = keys_in_text(text)
    if not keys:
        return None, []
    incident = incident_repo.open_incident(session, team_id, channel_id)
    if incident is None:
        return None, []
    linked = [
        key
        for key in keys
        if repo.add_link(
            session,
            incident_id=incident.id,
            team_id=team_id,
            key=key,
            label=describe_key(key),
            via="message",
            user_id=user_id,
            now=now,
            restore=False,
        )
    ]
    return incident.id, linked
