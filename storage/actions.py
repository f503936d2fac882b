"""Queries for action items, their history and the nudges claimed. Callers own the transaction.

Every lookup of an item by id is scoped by ``team_id``: an id from another workspace is not
found, whoever asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, exists, func, or_, select, union
from sqlalchemy.orm import Session

from bot.core.record import ActionItemView
from storage.action_models import ActionItem, ActionItemEvent, ActionNudge
from storage.models import Entry, Incident, Message, PhaseMark, SlackUser
from storage.upsert import insert_for


@dataclass(frozen=True)
class ItemRow:
    """An item with what a reader needs of its incident."""

    id: int
    team_id: str
    owner_id: str | None
    due: date | None
    text: str
    status: str
    rollovers: int
    created_at: datetime
    closed_at: datetime | None
    incident_id: int
    channel_id: str
    title: str
    service: str | None
    owner_tz: str | None = None


_ROW_COLUMNS = (
    ActionItem.id,
    ActionItem.team_id,
    ActionItem.owner_id,
    ActionItem.due,
    ActionItem.text,
    ActionItem.status,
    ActionItem.rollovers,
    ActionItem.created_at,
    ActionItem.closed_at,
    Incident.id,
    Incident.channel_id,
    Incident.title,
    Incident.service,
)


def _rows(session: Session, stmt: Any) -> list[ItemRow]:
    return [ItemRow(*row) for row in session.execute(stmt)]


def add_item(
    session: Session,
    *,
    team_id: str,
    incident_id: int,
    owner_id: str,
    due: date,
    text: str,
    created_by: str,
    now: datetime,
) -> ActionItem:
    item = ActionItem(
        team_id=team_id,
        incident_id=incident_id,
        owner_id=owner_id,
        due=due,
        text=text,
        status="open",
        rollovers=0,
        created_by=created_by,
        created_at=now,
    )
    session.add(item)
    session.flush()
    add_event(session, item.id, kind="created", user_id=created_by, old=None, new=f"{owner_id} {due.isoformat()}", at=now)
    return item


def add_event(session: Session, item_id: int, *, kind: str, user_id: str | None, old: str | None, new: str | None, at: datetime) -> int:
    event = ActionItemEvent(item_id=item_id, kind=kind, user_id=user_id, old_value=old, new_value=new, at=at)
    session.add(event)
    session.flush()
    return event.id


def find_item(session: Session, team_id: str, item_id: int, *, lock: bool = False) -> ActionItem | None:
    """The item in this workspace, or None; ``lock`` holds its row until the transaction ends."""
    stmt = select(ActionItem).where(ActionItem.team_id == team_id, ActionItem.id == item_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def item_row(session: Session, team_id: str, item_id: int) -> ItemRow | None:
    found = _rows(
        session,
        select(*_ROW_COLUMNS)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(ActionItem.team_id == team_id, ActionItem.id == item_id),
    )
    return found[0] if found else None


def history(session: Session, item_id: int) -> Sequence[ActionItemEvent]:
    return session.scalars(select(ActionItemEvent).where(ActionItemEvent.item_id == item_id).order_by(ActionItemEvent.id)).all()


def incident_items(session: Session, team_id: str, incident_id: int) -> list[ItemRow]:
    return _rows(
        session,
        select(*_ROW_COLUMNS)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(ActionItem.team_id == team_id, ActionItem.incident_id == incident_id)
        .order_by(ActionItem.id),
    )


def item_views(session: Session, incident_id: int) -> tuple[ActionItemView, ...]:
    """The incident's items as the record's plain values, in the order they were added."""
    stmt = (
        select(ActionItem.id, ActionItem.owner_id, ActionItem.due, ActionItem.text, ActionItem.status, ActionItem.rollovers)
        .where(ActionItem.incident_id == incident_id)
        .order_by(ActionItem.id)
    )
    return tuple(ActionItemView(*row) for row in session.execute(stmt))


def open_items_of(session: Session, team_id: str, owner_id: str) -> list[ItemRow]:
    return _rows(
        session,
        select(*_ROW_COLUMNS)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(ActionItem.team_id == team_id, ActionItem.owner_id == owner_id, ActionItem.status == "open")
        .order_by(ActionItem.due, ActionItem.id),
    )


def team_items(session: Session, team_id: str, *, closed_since: datetime) -> list[ItemRow]:
    """Open items, and items closed since ``closed_since``: what a review looks at."""
    return _rows(
        session,
        select(*_ROW_COLUMNS)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(
            ActionItem.team_id == team_id,
            or_(ActionItem.status == "open", ActionItem.closed_at >= closed_since),
        )
        .order_by(ActionItem.id),
    )


def open_items_to_nudge(session: Session) -> list[ItemRow]:
    """Every open item of every workspace, with its owner's cached zone: one query."""
    stmt = (
        select(*_ROW_COLUMNS, SlackUser.tz)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .outerjoin(SlackUser, (SlackUser.team_id == ActionItem.team_id) & (SlackUser.user_id == ActionItem.owner_id))
        .where(ActionItem.status == "open", ActionItem.owner_id.is_not(None), ActionItem.due.is_not(None))
        .order_by(ActionItem.id)
    )
    return _rows(session, stmt)


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


def claim_nudges(session: Session, claims: Iterable[tuple[str, int, str, str]], *, run_id: str, now: datetime) -> list[tuple[int, str]]:
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


def is_participant(session: Session, incident: Incident, user_id: str) -> bool:
    """Whether the record shows the user took part in the incident: started it, posted in its
    channel, marked a phase, added an entry, or created or owns one of its items."""
    if incident.started_by == user_id:
        return True
    checks = [
        exists().where(Message.incident_id == incident.id, Message.user_id == user_id),
        exists().where(PhaseMark.incident_id == incident.id, PhaseMark.user_id == user_id),
        exists().where(Entry.incident_id == incident.id, Entry.user_id == user_id),
        exists().where(
            ActionItem.incident_id == incident.id,
            or_(ActionItem.created_by == user_id, ActionItem.owner_id == user_id),
        ),
    ]
    return bool(session.scalar(select(or_(*checks))))


def incidents_of_user(session: Session, team_id: str, user_id: str, *, limit: int = 10) -> Sequence[Incident]:
    """Incidents the user started, posted in or owns items of; active first, newest first."""
    ids = union(
        select(Incident.id).where(Incident.team_id == team_id, Incident.started_by == user_id),
        select(Message.incident_id).where(Message.team_id == team_id, Message.user_id == user_id),
        select(ActionItem.incident_id).where(ActionItem.team_id == team_id, ActionItem.owner_id == user_id),
    ).subquery()
    return session.scalars(
        select(Incident)
        .where(Incident.id.in_(select(ids.c[0])))
        .order_by((Incident.status != "active"), Incident.started_at.desc())
        .limit(limit)
    ).all()


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
        select(Incident.id, Incident.channel_id, Incident.title, Incident.service, Incident.severity, Incident.started_at)
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
        select(ActionItem.incident_id, func.count(), missing).where(ActionItem.team_id == team_id).group_by(ActionItem.incident_id)
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
