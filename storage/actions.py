"""Queries for action items and their history: adding and finding items, listing them, and
who took part in an incident. Callers own the transaction.

Every lookup of an item by id is scoped by ``team_id``: an id from another workspace is not
found, whoever asks. The reads of the follow-up jobs (nudges, reviews) are in
``storage.followup_queries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, or_, select, union
from sqlalchemy.orm import Session

from bot.core.record import ActionItemView, ItemWithIncident
from storage.action_models import ActionItem, ActionItemEvent
from storage.models import Entry, Incident, Message, PhaseMark
from storage.ticket_models import ActionItemTicket
from storage.tickets import ticket_info, tickets_of

ITEM_ROW_COLUMNS = (
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


def item_rows(session: Session, stmt: Any) -> list[ItemWithIncident]:
    """Run a select of ``ITEM_ROW_COLUMNS`` (and optionally the owner's zone) as ``ItemWithIncident``s,
    each with its ticket (one more query, whatever the number of items)."""
    rows = [ItemWithIncident(*row) for row in session.execute(stmt)]
    tickets = tickets_of(session, (row.id for row in rows))
    return [replace(row, ticket=ticket_info(tickets[row.id])) if row.id in tickets else row for row in rows]


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
    add_event(
        session, item.id, kind="created", user_id=created_by, old=None, new=f"{owner_id} {due.isoformat()}", at=now
    )
    return item


def add_event(
    session: Session,
    item_id: int,
    *,
    kind: str,
    user_id: str | None,
    old: str | None,
    new: str | None,
    at: datetime,
    origin: str | None = None,
) -> int:
    """One change in the item's history; ``origin`` names the tracker it came from (None: here)."""
    event = ActionItemEvent(
        item_id=item_id, kind=kind, user_id=user_id, old_value=old, new_value=new, at=at, origin=origin
    )
    session.add(event)
    session.flush()
    return event.id


def find_item(session: Session, team_id: str, item_id: int, *, lock: bool = False) -> ActionItem | None:
    """The item in this workspace, or None; ``lock`` holds its row until the transaction ends."""
    stmt = select(ActionItem).where(ActionItem.team_id == team_id, ActionItem.id == item_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def item_row(session: Session, team_id: str, item_id: int) -> ItemWithIncident | None:
    found = item_rows(
        session,
        select(*ITEM_ROW_COLUMNS)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(ActionItem.team_id == team_id, ActionItem.id == item_id),
    )
    return found[0] if found else None


def history(session: Session, item_id: int) -> Sequence[ActionItemEvent]:
    return session.scalars(
        select(ActionItemEvent).where(ActionItemEvent.item_id == item_id).order_by(ActionItemEvent.id)
    ).all()


def incident_items(session: Session, team_id: str, incident_id: int) -> list[ItemWithIncident]:
    return item_rows(
        session,
        select(*ITEM_ROW_COLUMNS)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(ActionItem.team_id == team_id, ActionItem.incident_id == incident_id)
        .order_by(ActionItem.id),
    )


def item_views(session: Session, incident_id: int) -> tuple[ActionItemView, ...]:
    """The incident's items as the record's plain values, in the order they were added."""
    stmt = (
        select(
            ActionItem.id,
            ActionItem.owner_id,
            ActionItem.due,
            ActionItem.text,
            ActionItem.status,
            ActionItem.rollovers,
            ActionItemTicket,
        )
        .outerjoin(ActionItemTicket, ActionItemTicket.item_id == ActionItem.id)
        .where(ActionItem.incident_id == incident_id)
        .order_by(ActionItem.id)
    )
    return tuple(
        ActionItemView(*row[:6], ticket=ticket_info(row[6]) if row[6] is not None else None)
        for row in session.execute(stmt)
    )


def open_items_of(session: Session, team_id: str, owner_id: str) -> list[ItemWithIncident]:
    return item_rows(
        session,
        select(*ITEM_ROW_COLUMNS)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(ActionItem.team_id == team_id, ActionItem.owner_id == owner_id, ActionItem.status == "open")
        .order_by(ActionItem.due, ActionItem.id),
    )


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
