"""What a change made here owes the item's ticket: a push, through the outbox (kind ``ticket``),
written in the change's own transaction. A change heard from a tracker never calls this."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.core.ticket_info import FAILED
from storage import outbox as outbox_repo
from storage import tickets as repo
from storage.outbox import TICKET_KIND


def queue_ticket_work(session: Session, *, team_id: str, key: str, payload: dict[str, Any], now: datetime) -> bool:
    """Owe a tracker some work on an item, once per key. Each item is its own "channel", so the
    outbox paces nothing across items."""
    return outbox_repo.enqueue(
        session,
        team_id=team_id,
        key=key,
        kind=TICKET_KIND,
        channel=f"ticket:{payload['item_id']}",
        payload=payload,
        now=now,
    )


def item_changed(session: Session, *, item_id: int, event_id: int, now: datetime) -> bool:
    """A change made here (done, reopened, due, owner): owe the ticket a push. Tracker events
    older than now arriving later change nothing (the ticket's last event time moves to now)."""
    ticket = repo.ticket_of(session, item_id, lock=True)
    if ticket is None or ticket.state == FAILED:
        return False
    if ticket.last_event_at is None or ticket.last_event_at < now:
        ticket.last_event_at = now
    return queue_ticket_work(
        session,
        team_id=ticket.team_id,
        key=f"ticket:push:{item_id}:{event_id}",
        payload={"op": "push", "item_id": item_id},
        now=now,
    )
