"""Use cases of action items: assign, list, close, reopen, move the due date, reassign.

Who may change an item (done, reopen, due, reassign, and the buttons): its owner, the person who
started its incident, and anyone the record shows took part in the incident (posted in its
channel, marked a phase, added a note or entry, created or owns one of its items). Items are
looked up within the caller's workspace only, so an id from another workspace is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.core.record import ItemWithIncident
from bot.core.review import order_items_for_owner
from bot.core.stats import ReviewItem
from bot.services import outbox
from bot.services.error_budgets import team_budgets
from bot.services.errors import UserFacingError
from bot.services.incidents import require_incident
from bot.services.ticket_push import item_changed
from storage import actions as repo
from storage.action_models import ActionItem
from storage.models import Incident

MAX_ITEM_TEXT = 500


class NotAllowed(UserFacingError):
    def __init__(self, item_id: int) -> None:
        super().__init__(
            f"Only the owner of #{item_id}, the person who started its incident, or someone who took "
            "part in the incident (posted in its channel) can change it."
        )


class ItemNotFound(UserFacingError):
    def __init__(self, item_id: int) -> None:
        super().__init__(f"There is no action item #{item_id} in this workspace. `/incident actions` lists them.")


@dataclass(frozen=True)
class Change:
    item: ItemWithIncident
    changed: bool
    """False when the item already was in the asked state."""
    previous_owner: str | None = None
    previous_due: date | None = None
    rolled_over: bool = False
    event_id: int | None = None


def check_due(due: date, *, today: date) -> None:
    """Refuse a due date before the user's local today."""
    if due < today:
        raise UserFacingError(
            f"{due.isoformat()} is in the past (today is {today.isoformat()} where you are). "
            "Give today or a later date."
        )


def check_item_text(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise UserFacingError(
            "Say what needs doing, for example `/incident action @ada friday Add an alert on queue depth`."
        )
    if len(text) > MAX_ITEM_TEXT:
        raise UserFacingError(f"That action item is {len(text)} characters long; keep it under {MAX_ITEM_TEXT}.")
    return text


def create_item(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    owner_id: str,
    due: date,
    today: date,
    text: str,
    user_id: str,
    now: datetime,
) -> ItemWithIncident:
    incident = require_incident(session, team_id, channel_id)
    check_due(due, today=today)
    item = repo.add_item(
        session,
        team_id=team_id,
        incident_id=incident.id,
        owner_id=owner_id,
        due=due,
        text=check_item_text(text),
        created_by=user_id,
        now=now,
    )
    return _row(session, team_id, item.id)


def incident_items(session: Session, *, team_id: str, channel_id: str) -> tuple[str, list[ItemWithIncident]]:
    """The title of the channel's incident, and its items."""
    incident = require_incident(session, team_id, channel_id)
    return incident.title, repo.incident_items(session, team_id, incident.id)


def my_items(session: Session, *, team_id: str, user_id: str, now: datetime) -> list[ItemWithIncident]:
    """The caller's open items: over-budget services first, then overdue, then by due date."""
    rows = repo.open_items_of(session, team_id, user_id)
    by_id = {row.id: row for row in rows}
    ordered = order_items_for_owner(
        (review_item(row) for row in rows), team_budgets(session, team_id, now=now), now=now
    )
    return [by_id[item.item_id] for item in ordered]


def close_item(session: Session, *, team_id: str, item_id: int, user_id: str, now: datetime) -> Change:
    return _set_status(session, team_id=team_id, item_id=item_id, status="done", user_id=user_id, now=now)


def reopen_item(session: Session, *, team_id: str, item_id: int, user_id: str, now: datetime) -> Change:
    return _set_status(session, team_id=team_id, item_id=item_id, status="open", user_id=user_id, now=now)


def _set_status(session: Session, *, team_id: str, item_id: int, status: str, user_id: str, now: datetime) -> Change:
    """Close ("done") or reopen ("open") an item, with its history event; a no-op if it is so already."""
    item = _changeable(session, team_id, item_id, user_id)
    if item.status == status:
        return Change(_row(session, team_id, item_id), changed=False)
    previous = item.status
    item.status = status
    item.closed_at, item.closed_by = (now, user_id) if status == "done" else (None, None)
    kind = "done" if status == "done" else "reopened"
    event_id = repo.add_event(session, item.id, kind=kind, user_id=user_id, old=previous, new=status, at=now)
    item_changed(session, item_id=item.id, event_id=event_id, now=now)
    return Change(_row(session, team_id, item_id), changed=True, event_id=event_id)


def move_due(
    session: Session, *, team_id: str, item_id: int, due: date, today: date, user_id: str, now: datetime
) -> Change:
    """Move the due date. Later than before is a rollover: counted, and kept in the history."""
    item = _changeable(session, team_id, item_id, user_id)
    check_due(due, today=today)
    previous = item.due
    if previous == due:
        return Change(_row(session, team_id, item_id), changed=False, previous_due=previous)
    rolled = previous is not None and due > previous
    item.due = due
    if rolled:
        item.rollovers += 1
    event_id = repo.add_event(
        session,
        item.id,
        kind="rollover" if rolled else "due_moved",
        user_id=user_id,
        old=previous.isoformat() if previous else None,
        new=due.isoformat(),
        at=now,
    )
    item_changed(session, item_id=item.id, event_id=event_id, now=now)
    return Change(_row(session, team_id, item_id), changed=True, previous_due=previous, rolled_over=rolled)


def reassign_item(
    session: Session, *, team_id: str, item_id: int, owner_id: str, user_id: str, now: datetime
) -> Change:
    item = _changeable(session, team_id, item_id, user_id)
    previous = item.owner_id
    if previous == owner_id:
        return Change(_row(session, team_id, item_id), changed=False, previous_owner=previous)
    item.owner_id = owner_id
    event_id = repo.add_event(session, item.id, kind="reassigned", user_id=user_id, old=previous, new=owner_id, at=now)
    item_changed(session, item_id=item.id, event_id=event_id, now=now)
    return Change(_row(session, team_id, item_id), changed=True, previous_owner=previous, event_id=event_id)


def queue_dm(session: Session, *, team_id: str, key: str, user_id: str, payload: dict[str, Any], now: datetime) -> bool:
    """Owe a DM to ``user_id``, sent once whatever retries happen (the key decides)."""
    return outbox.enqueue(session, team_id=team_id, key=key, kind="dm", channel=user_id, payload=payload, now=now)


def item_for(session: Session, *, team_id: str, item_id: int, user_id: str) -> ItemWithIncident:
    """An item the caller may change (for opening a modal about it)."""
    _changeable(session, team_id, item_id, user_id)
    return _row(session, team_id, item_id)


def may_change(session: Session, item: ActionItem, user_id: str) -> bool:
    if item.owner_id == user_id:
        return True
    incident = session.get(Incident, item.incident_id)
    return incident is not None and incident.team_id == item.team_id and repo.is_participant(session, incident, user_id)


def _changeable(session: Session, team_id: str, item_id: int, user_id: str) -> ActionItem:
    item = repo.find_item(session, team_id, item_id, lock=True)
    if item is None:
        raise ItemNotFound(item_id)
    if not may_change(session, item, user_id):
        raise NotAllowed(item_id)
    return item


def _row(session: Session, team_id: str, item_id: int) -> ItemWithIncident:
    session.flush()
    row = repo.item_row(session, team_id, item_id)
    if row is None:
        raise ItemNotFound(item_id)
    return row


def review_item(row: ItemWithIncident) -> ReviewItem:
    return ReviewItem(
        item_id=row.id,
        incident_title=row.title,
        incident_channel=row.channel_id,
        service=row.service,
        owner=row.owner_id,
        due=row.due,
        status=row.status,
        rollovers=row.rollovers,
        created_at=row.created_at,
        closed_at=row.closed_at,
        text=row.text,
    )


@dataclass(frozen=True)
class HomeIncident:
    """An incident the user took part in, as the App Home lists it."""

    id: int
    channel_id: str
    title: str
    status: str


@dataclass(frozen=True)
class Home:
    items: list[ItemWithIncident]
    """Open items, overdue first."""
    incidents: list[HomeIncident]


def home_for(session: Session, *, team_id: str, user_id: str, now: datetime) -> Home:
    return Home(
        my_items(session, team_id=team_id, user_id=user_id, now=now),
        [
            HomeIncident(i.id, i.channel_id, i.title, i.status)
            for i in repo.incidents_of_user(session, team_id, user_id)
        ],
    )
