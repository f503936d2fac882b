"""What the follow-up jobs read of action items and incidents: the open items to nudge and the
nudges claimed, owners whose zone needs fetching, and what the weekly review and the error
budget look at. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from bot.core.record import ItemWithIncident
from storage.action_models import ActionItem, ActionNudge
from storage.actions import ITEM_ROW_COLUMNS, item_rows
from storage.models import Entry, Incident, PhaseMark, SlackUser
from storage.upsert import insert_for


def team_items(session: Session, team_id: str, *, closed_since: datetime) -> list[ItemWithIncident]:
    """Open items, and items closed since ``closed_since``: what a review looks at."""
    return item_rows(
        session,
        select(*ITEM_ROW_COLUMNS)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(
            ActionItem.team_id == team_id,
            or_(ActionItem.status == "open", ActionItem.closed_at >= closed_since),
        )
        .order_by(ActionItem.id),
    )


def open_items_to_nudge(session: Session) -> list[ItemWithIncident]:
    """Every open item of every workspace, with its owner's cached zone: one query."""
    stmt = (
        select(*ITEM_ROW_COLUMNS, SlackUser.tz)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .outerjoin(SlackUser, (SlackUser.team_id == ActionItem.team_id) & (SlackUser.user_id == ActionItem.owner_id))
        .where(ActionItem.status == "open", ActionItem.owner_id.is_not(None), ActionItem.due.is_not(None))
        .order_by(ActionItem.id)
    )
    return item_rows(session, stmt)


def sent_nudge_keys(session: Session) -> dict[int, frozenset[str]]:
    """The nudge keys already claimed, for every open item: one query."""
    stmt = (
        select(ActionNudge.item_id, ActionNudge.key)
        .join(ActionItem, ActionItem.id == ActionNudge.item_id)
        .where(ActionItem.status == "open")
    )
    keys: dict[int, set[str]] = {}
    for item_id, key in session.execute(stmt):
        keys.setdefault(item_id, set()).add(key)
    return {item_id: frozenset(found) for item_id, found in keys.items()}


def claim_nudges(
    session: Session, claims: Iterable[tuple[str, int, str, str]], *, run_id: str, now: datetime
) -> list[tuple[int, str]]:
    """Claim (team, item, key, kind) nudges for this run; returns the (item, key) this run won.

    One executemany INSERT … ON CONFLICT DO NOTHING and one SELECT, however many claims: a key
    claimed before (an earlier run, another scheduler) is silently not this run's.
    """
    rows = [
        {"team_id": team, "item_id": item_id, "key": key, "kind": kind, "run_id": run_id, "created_at": now}
        for team, item_id, key, kind in claims
    ]
    if not rows:
        return []
    table = ActionNudge.__table__
    session.execute(insert_for(session, table).on_conflict_do_nothing(index_elements=["item_id", "key"]), rows)
    won = select(ActionNudge.item_id, ActionNudge.key).where(ActionNudge.run_id == run_id)
    return [(item_id, key) for item_id, key in session.execute(won)]


def owners_missing_zone(session: Session, *, fetched_before: datetime, limit: int) -> list[tuple[str, str]]:
    """(team, owner) of open items whose zone was never fetched or is older than ``fetched_before``."""
    stmt = (
        select(ActionItem.team_id, ActionItem.owner_id)
        .outerjoin(SlackUser, (SlackUser.team_id == ActionItem.team_id) & (SlackUser.user_id == ActionItem.owner_id))
        .where(ActionItem.status == "open", ActionItem.owner_id.is_not(None))
        .where(or_(SlackUser.user_id.is_(None), SlackUser.fetched_at < fetched_before))
        .distinct()
        .limit(limit)
    )
    return [(team, owner) for team, owner in session.execute(stmt) if owner]


@dataclass(frozen=True)
class IncidentFacts:
    """What the review and the error budget read of an incident."""

    id: int
    channel_id: str
    title: str
    service: str | None
    severity: str | None
    started_at: datetime
    phases: dict[str, datetime]
    first_cause: str | None
    item_count: int
    items_missing_owner_or_due: int


def incident_facts(session: Session, team_id: str) -> list[IncidentFacts]:
    """Every incident of the workspace with its current phases, first cause and item counts:
    four queries, whatever the number of incidents."""
    incidents = session.execute(
        select(
            Incident.id, Incident.channel_id, Incident.title, Incident.service, Incident.severity, Incident.started_at
        )
        .where(Incident.team_id == team_id)
        .order_by(Incident.id)
    ).all()
    phases: dict[int, dict[str, datetime]] = {}
    marks = session.execute(
        select(PhaseMark.incident_id, PhaseMark.phase, PhaseMark.at)
        .join(Incident, Incident.id == PhaseMark.incident_id)
        .where(Incident.team_id == team_id, PhaseMark.superseded_at.is_(None))
    )
    for incident_id, phase, at in marks:
        phases.setdefault(incident_id, {})[phase] = at
    causes: dict[int, str] = {}
    for incident_id, text in session.execute(
        select(Entry.incident_id, Entry.text)
        .join(Incident, Incident.id == Entry.incident_id)
        .where(Incident.team_id == team_id, Entry.kind == "cause")
        .order_by(Entry.at, Entry.id)
    ):
        causes.setdefault(incident_id, text)
    counts: dict[int, tuple[int, int]] = {}
    missing = func.sum(case((or_(ActionItem.owner_id.is_(None), ActionItem.due.is_(None)), 1), else_=0))
    for incident_id, count, lacking in session.execute(
        select(ActionItem.incident_id, func.count(), missing)
        .where(ActionItem.team_id == team_id)
        .group_by(ActionItem.incident_id)
    ):
        counts[incident_id] = (int(count), int(lacking or 0))
    return [
        IncidentFacts(
            id=row.id,
            channel_id=row.channel_id,
            title=row.title,
            service=row.service,
            severity=row.severity,
            started_at=row.started_at,
            phases=phases.get(row.id, {}),
            first_cause=causes.get(row.id),
            item_count=counts.get(row.id, (0, 0))[0],
            items_missing_owner_or_due=counts.get(row.id, (0, 0))[1],
        )
        for row in incidents
    ]


def teams_with_incidents(session: Session) -> list[str]:
    return list(session.scalars(select(Incident.team_id).distinct().order_by(Incident.team_id)))
