"""Queries of tickets linked to action items, tracker deliveries and workspaces' tracker
accounts. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from bot.core.ticket_info import TicketInfo
from storage.action_models import ActionItem
from storage.ticket_models import ActionItemTicket, TrackerAccount, TrackerDelivery
from storage.upsert import insert_for


def ticket_info(row: ActionItemTicket) -> TicketInfo:
    return TicketInfo(row.tracker, row.key, row.url, row.state)


def add_ticket(
    session: Session,
    *,
    team_id: str,
    item_id: int,
    tracker: str,
    state: str,
    now: datetime,
    key: str | None = None,
    url: str | None = None,
) -> bool:
    """Link a ticket (or one still to be made, ``pending``) to the item; False when the item
    has one already (the unique item id decides)."""
    stmt = (
        insert_for(session, ActionItemTicket)
        .values(
            team_id=team_id,
            item_id=item_id,
            tracker=tracker,
            key=key,
            url=url,
            state=state,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["item_id"])
        .returning(ActionItemTicket.id)
    )
    return session.execute(stmt).scalar() is not None


def ticket_of(session: Session, item_id: int, *, lock: bool = False) -> ActionItemTicket | None:
    stmt = select(ActionItemTicket).where(ActionItemTicket.item_id == item_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


TICKETS_PER_QUERY = 5000


def tickets_of(session: Session, item_ids: Iterable[int]) -> dict[int, ActionItemTicket]:
    """The tickets of these items, by item id (one query per 5,000 items; none when no ticket
    exists at all)."""
    ids = list(item_ids)
    if not ids or session.scalar(select(ActionItemTicket.id).limit(1)) is None:
        return {}
    found: dict[int, ActionItemTicket] = {}
    for start in range(0, len(ids), TICKETS_PER_QUERY):
        chunk = ids[start : start + TICKETS_PER_QUERY]
        for row in session.scalars(select(ActionItemTicket).where(ActionItemTicket.item_id.in_(chunk))):
            found[row.item_id] = row
    return found


def find_ticket(
    session: Session, *, team_id: str, tracker: str, key: str | None, remote_id: str | None
) -> ActionItemTicket | None:
    """The ticket this tracker names by its uuid (first) or its key, in this workspace; locked."""
    for column, value in ((ActionItemTicket.remote_id, remote_id), (ActionItemTicket.key, key)):
        if value is None:
            continue
        row = session.scalars(
            select(ActionItemTicket)
            .where(ActionItemTicket.team_id == team_id, ActionItemTicket.tracker == tracker, column == value)
            .order_by(ActionItemTicket.id)
            .limit(1)
            .with_for_update()
        ).first()
        if row is not None:
            return row
    return None


def linked_to_poll(
    session: Session, *, team_id: str, tracker: str, after_id: int = 0, limit: int = 1000
) -> Sequence[ActionItemTicket]:
    """Tickets made and linked to items still open here, in id order from ``after_id``."""
    return session.scalars(
        select(ActionItemTicket)
        .join(ActionItem, ActionItem.id == ActionItemTicket.item_id)
        .where(
            ActionItemTicket.team_id == team_id,
            ActionItemTicket.tracker == tracker,
            ActionItemTicket.key.is_not(None),
            ActionItemTicket.id > after_id,
            ActionItem.status == "open",
        )
        .order_by(ActionItemTicket.id)
        .limit(limit)
    ).all()


def polled_teams(session: Session) -> Sequence[tuple[str, str]]:
    """(workspace, tracker) pairs that have tickets to poll."""
    return [
        (row[0], row[1])
        for row in session.execute(
            select(ActionItemTicket.team_id, ActionItemTicket.tracker)
            .where(ActionItemTicket.key.is_not(None))
            .distinct()
        )
    ]


def record_delivery(session: Session, *, tracker: str, delivery: str, team_id: str, body: str, now: datetime) -> bool:
    """Keep a delivery; False when it was kept before (a redelivery)."""
    stmt = (
        insert_for(session, TrackerDelivery)
        .values(tracker=tracker, delivery=delivery, team_id=team_id, body=body, received_at=now)
        .on_conflict_do_nothing(index_elements=["tracker", "delivery"])
        .returning(TrackerDelivery.delivery)
    )
    return session.execute(stmt).scalar() is not None


def accounts(session: Session, *, team_id: str | None = None) -> Sequence[TrackerAccount]:
    stmt = select(TrackerAccount).order_by(TrackerAccount.team_id, TrackerAccount.tracker)
    if team_id is not None:
        stmt = stmt.where(TrackerAccount.team_id == team_id)
    return session.scalars(stmt).all()


def save_account(session: Session, account: TrackerAccount) -> None:
    """Add the workspace's account for this tracker, or replace the one it had."""
    old = session.scalars(
        select(TrackerAccount).where(
            TrackerAccount.team_id == account.team_id, TrackerAccount.tracker == account.tracker
        )
    ).one_or_none()
    if old is not None:
        session.delete(old)
        session.flush()
    session.add(account)
    session.flush()


def remove_account(session: Session, *, team_id: str, tracker: str) -> int:
    removed = session.execute(
        delete(TrackerAccount).where(TrackerAccount.team_id == team_id, TrackerAccount.tracker == tracker)
    )
    return (removed.rowcount or 0) if isinstance(removed, CursorResult) else 0
