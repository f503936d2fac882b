"""Use cases of tickets: file an item in a tracker, link one that exists, show them, and apply
what a tracker says changed.

Work owed to a tracker goes through the outbox (kind ``ticket``, delivered by
bot/services/ticket_sync.py), written in the same transaction as the change that owes it, so it
is done once whatever is lost or retried:
- ``ticket:create:<item>`` files the item (looked up by its marker before any retry);
- ``ticket:push:<item>:<history event>`` makes the ticket as the item now is, after a change
  here (done, reopened, due, owner). A change heard from the tracker owes nothing: it is never
  written back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.core.ticket_info import CANCELED, DONE, FAILED, OPEN, PENDING, TRACKER_NAMES, TicketInfo, Tracker
from bot.core.tickets import UNCHANGED, TicketEvent, TicketRef, TrackerPlaces, changes_for, parse_ticket_ref
from bot.services.actions import ItemNotFound, may_change
from bot.services.errors import UserFacingError
from bot.services.ticket_push import queue_ticket_work
from bot.settings import Settings
from bot.trackers.base import Account
from storage import actions as items_repo
from storage import outbox as outbox_repo
from storage import tickets as repo
from storage.models import Incident
from storage.ticket_models import ActionItemTicket
from storage.tickets import ticket_info


def view_of(row: ActionItemTicket) -> TicketInfo:
    return ticket_info(row)


def ticket_views(session: Session, item_ids: Iterable[int]) -> dict[int, TicketInfo]:
    return {item_id: view_of(row) for item_id, row in repo.tickets_of(session, item_ids).items()}


def accounts_for(session: Session, settings: Settings, team_id: str) -> dict[Tracker, Account]:
    """The trackers this workspace may use: its own (``scribe trackers add``) over the settings'."""
    found: dict[Tracker, Account] = {}
    if settings.jira_url and settings.jira_api_token:
        found[Tracker.JIRA] = Account(
            Tracker.JIRA,
            settings.jira_url,
            settings.jira_api_token,
            login=settings.jira_email,
            project=settings.jira_project,
            webhook_secret=settings.jira_webhook_secret,
        )
    if settings.github_repo and settings.github_token:
        found[Tracker.GITHUB] = Account(
            Tracker.GITHUB,
            settings.github_repo,
            settings.github_token,
            api_url=settings.github_api_url,
            webhook_secret=settings.github_webhook_secret,
        )
    if settings.linear_team_id and settings.linear_api_key:
        found[Tracker.LINEAR] = Account(
            Tracker.LINEAR,
            settings.linear_team_id,
            settings.linear_api_key,
            api_url=settings.linear_api_url,
            webhook_secret=settings.linear_webhook_secret,
        )
    for row in repo.accounts(session, team_id=team_id):
        found[Tracker(row.tracker)] = Account(
            Tracker(row.tracker),
            row.site,
            row.token,
            api_url=row.api_url,
            login=row.login,
            project=row.project,
            webhook_secret=row.webhook_secret,
        )
    return found


def filing_tracker(session: Session, settings: Settings, team_id: str) -> Tracker | None:
    """Where this workspace's new items are filed: its own account marked so, else SCRIBE_TRACKER."""
    own = [row for row in repo.accounts(session, team_id=team_id) if row.file_new_items]
    if own:
        return Tracker(own[0].tracker)
    return Tracker(settings.tracker) if settings.tracker else None


def places(accounts: dict[Tracker, Account], preferred: Tracker | None) -> TrackerPlaces:
    github = accounts.get(Tracker.GITHUB)
    web = "https://github.com"
    if github and github.api_url and github.api_url.rstrip("/").endswith("/api/v3"):
        web = github.api_url.rstrip("/")[: -len("/api/v3")]  # GitHub Enterprise Server: https://HOST/api/v3
    return TrackerPlaces(
        jira_url=accounts[Tracker.JIRA].site if Tracker.JIRA in accounts else None,
        github_repo=github.site if github else None,
        github_web_url=web,
        linear=Tracker.LINEAR in accounts,
        preferred=preferred,
    )


def create_key(item_id: int, generation: int = 0) -> str:
    return f"ticket:create:{item_id}" + (f":{generation}" if generation else "")


def _queue(session: Session, *, team_id: str, key: str, payload: dict[str, Any], now: datetime) -> bool:
    return queue_ticket_work(session, team_id=team_id, key=key, payload=payload, now=now)


def file_new_item(session: Session, *, settings: Settings, team_id: str, item_id: int, now: datetime) -> bool:
    """File a just-created item where this workspace files its items, if anywhere."""
    tracker = filing_tracker(session, settings, team_id)
    if tracker is None or tracker not in accounts_for(session, settings, team_id):
        return False
    if not repo.add_ticket(session, team_id=team_id, item_id=item_id, tracker=tracker, state=PENDING, now=now):
        return False
    return _queue(
        session, team_id=team_id, key=create_key(item_id), payload={"op": "create", "item_id": item_id}, now=now
    )


def file_item(
    session: Session, *, settings: Settings, team_id: str, item_id: int, user_id: str, now: datetime
) -> TicketInfo:
    """``/incident action file ID``: file the item now (again, when filing had given up; an
    attempt that may have landed is looked up first)."""
    item = items_repo.find_item(session, team_id, item_id, lock=True)
    if item is None:
        raise ItemNotFound(item_id)
    if not may_change(session, item, user_id):
        raise UserFacingError(f"Only the owner of #{item_id} or someone who took part in its incident can file it.")
    accounts = accounts_for(session, settings, team_id)
    tracker = filing_tracker(session, settings, team_id) or (next(iter(accounts)) if len(accounts) == 1 else None)
    if tracker is None or tracker not in accounts:
        raise UserFacingError(
            "No tracker to file in: set SCRIBE_TRACKER (jira, github or linear), or link an existing "
            f"ticket with `/incident action link {item_id} URL_OR_KEY`."
        )
    ticket = repo.ticket_of(session, item_id, lock=True)
    if ticket is not None and ticket.state != FAILED:
        what = (ticket.key and f"{TRACKER_NAMES[Tracker(ticket.tracker)]} {ticket.key}") or "a ticket (pending)"
        raise UserFacingError(f"#{item_id} already has {what}.")
    if ticket is None:
        repo.add_ticket(session, team_id=team_id, item_id=item_id, tracker=tracker, state=PENDING, now=now)
        generation = 0
    else:
        ticket.state, ticket.error, ticket.updated_at = PENDING, None, now
        generation = int(now.timestamp() * 1000)
    _queue(
        session,
        team_id=team_id,
        key=create_key(item_id, generation),
        payload={"op": "create", "item_id": item_id, "look_first": generation != 0},
        now=now,
    )
    row = repo.ticket_of(session, item_id)
    assert row is not None
    return view_of(row)


def link_item(
    session: Session, *, settings: Settings, team_id: str, item_id: int, text: str, user_id: str, now: datetime
) -> TicketInfo:
    """``/incident action link ID URL_OR_KEY``: the item's ticket is this one. Its state and the
    tracker's own id are read after the answer (a ``refresh``)."""
    item = items_repo.find_item(session, team_id, item_id, lock=True)
    if item is None:
        raise ItemNotFound(item_id)
    if not may_change(session, item, user_id):
        raise UserFacingError(f"Only the owner of #{item_id} or someone who took part in its incident can link it.")
    accounts = accounts_for(session, settings, team_id)
    ref: TicketRef = parse_ticket_ref(text, places(accounts, filing_tracker(session, settings, team_id)))
    ticket = repo.ticket_of(session, item_id, lock=True)
    if ticket is not None and ticket.state not in (FAILED,):
        if ticket.tracker == ref.tracker and ticket.key == ref.key:
            return view_of(ticket)
        shown = f"{TRACKER_NAMES[Tracker(ticket.tracker)]} {ticket.key}" if ticket.key else "a ticket being filed"
        raise UserFacingError(f"#{item_id} already has {shown}; an item has one ticket.")
    if ticket is None:
        repo.add_ticket(
            session,
            team_id=team_id,
            item_id=item_id,
            tracker=ref.tracker,
            state=OPEN,
            now=now,
            key=ref.key,
            url=ref.url,
        )
    else:
        ticket.tracker, ticket.key, ticket.url, ticket.state = ref.tracker, ref.key, ref.url, OPEN
        ticket.remote_id, ticket.error, ticket.updated_at = None, None, now
    row = repo.ticket_of(session, item_id)
    assert row is not None
    _queue(
        session,
        team_id=team_id,
        key=f"ticket:refresh:{item_id}:{row.id}:{ref.key}",
        payload={"op": "refresh", "item_id": item_id},
        now=now,
    )
    return view_of(row)


@dataclass(frozen=True)
class TicketLine:
    """One line for the incident channel: a tracker closed, canceled or reopened an item."""

    item_id: int
    channel_id: str
    tracker: str
    key: str | None
    url: str | None
    status: str
    text: str


Render = Callable[[TicketLine], dict[str, Any]]


def apply_event(
    session: Session, *, team_id: str, event: TicketEvent, now: datetime, render: Render | None = None
) -> bool:
    """Apply what a tracker says changed (a webhook or a poll). Nothing when the ticket is not
    ours, when the event is no newer than the last one applied, or when it says what is already
    so (our own change coming back). A close or a reopen tells the incident channel once."""
    ticket = repo.find_ticket(session, team_id=team_id, tracker=event.tracker, key=event.key, remote_id=event.remote_id)
    if ticket is None:
        return False
    item = items_repo.find_item(session, team_id, ticket.item_id, lock=True)
    if item is None:
        return False
    changes = changes_for(event, status=item.status, due=item.due, last_event_at=ticket.last_event_at)
    if changes is None:
        return False
    if event.remote_id and not ticket.remote_id:
        ticket.remote_id = event.remote_id
    if event.state is not None:
        ticket.state = event.state
    ticket.last_event_at = max(event.at, ticket.last_event_at) if ticket.last_event_at else event.at
    ticket.updated_at = now
    origin = str(event.tracker)
    changed = False
    if changes.status is not None:
        previous = item.status
        item.status = changes.status
        item.closed_at, item.closed_by = (now, None) if changes.status in (DONE, CANCELED) else (None, None)
        kind = {DONE: "done", CANCELED: "canceled"}.get(changes.status, "reopened")
        event_id = items_repo.add_event(
            session, item.id, kind=kind, user_id=None, old=previous, new=changes.status, at=now, origin=origin
        )
        incident = session.get(Incident, item.incident_id)
        if render is not None and incident is not None:
            line = TicketLine(item.id, incident.channel_id, origin, ticket.key, ticket.url, changes.status, item.text)
            outbox_repo.enqueue(
                session,
                team_id=team_id,
                key=f"ticket-line:{item.id}:{event_id}",
                kind="message",
                channel=incident.channel_id,
                payload=render(line),
                now=now,
            )
        changed = True
    if isinstance(changes.assignee_email, str) and changes.assignee_email and item.status == "open":
        queue_ticket_work(
            session,
            team_id=team_id,
            key=f"ticket:assignee:{item.id}:{event.at.isoformat()}",
            payload={"op": "assignee", "item_id": item.id, "email": changes.assignee_email, "at": event.at.isoformat()},
            now=now,
        )
        changed = True  # the owner follows once Slack names the person (after the answer)
    if changes.due is not UNCHANGED and changes.due is not None:
        previous_due = item.due
        item.due = changes.due  # type: ignore[assignment]
        items_repo.add_event(
            session,
            item.id,
            kind="due_moved",
            user_id=None,
            old=previous_due.isoformat() if previous_due else None,
            new=item.due.isoformat() if item.due else None,
            at=now,
            origin=origin,
        )
        changed = True
    return changed
