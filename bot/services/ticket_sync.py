"""Deliver what the outbox owes the trackers (rows of kind ``ticket``), and poll the tickets of
trackers that send no webhooks.

One ticket per item, whatever is lost or retried: the outbox claims each row before the call
and looks an earlier attempt up before any retry (bot/services/outbox.py). Here, "looked up"
means: the ticket carrying the item's marker (a Jira label, a GitHub body comment, a Linear
description line), searched before a create is tried again. A push (close, reopen, due,
owner) sets the ticket to how the item is now, so doing it twice is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.core.pages import incident_page
from bot.core.ticket_info import DONE, FAILED, OPEN, Tracker
from bot.core.tickets import TicketDraft, item_marker, label_word, ticket_title
from bot.services import outbox
from bot.services.outbox import MAX_ATTEMPTS, DeliveryError, DeliveryReport, OutboxItem
from bot.services.tickets import Render, accounts_for, apply_event
from bot.settings import Settings
from bot.trackers import client_for
from bot.trackers.base import Account, Linked, RemoteTicket, TrackerClient, TrackerError, Wanted, events_of
from storage import actions as items_repo
from storage import tickets as repo
from storage.models import Incident

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    """What Slack says of an item's owner: how the ticket names them."""

    name: str | None
    email: str | None


PersonOf = Callable[[str, str], Person]
"""(workspace, Slack user id) → the person, from Slack's users.info (after the answer only)."""
UserByEmail = Callable[[str, str], str | None]
"""(workspace, email) → the Slack user id with that email, or None (users.lookupByEmail)."""


def _nobody(team_id: str, email: str) -> None:
    return None


ClientFor = Callable[[Account], TrackerClient]


class TicketSender:
    """The outbox's sender for one workspace's tracker work."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        settings: Settings,
        team_id: str,
        person_of: PersonOf,
        client_for: ClientFor = client_for,
        user_by_email: UserByEmail = _nobody,
    ) -> None:
        self.user_by_email = user_by_email
        self.sessions = sessions
        self.settings = settings
        self.team_id = team_id
        self.person_of = person_of
        with sessions() as session:
            self.accounts = accounts_for(session, settings, team_id)
        self.client_for = client_for
        self.clients: dict[Tracker, TrackerClient] = {}

    def _client(self, tracker: str) -> TrackerClient:
        chosen = Tracker(tracker)
        if chosen not in self.clients:
            account = self.accounts.get(chosen)
            if account is None:
                raise DeliveryError(f"{tracker} is not set up for this workspace", retryable=False)
            self.clients[chosen] = self.client_for(account)
        return self.clients[chosen]

    def send(self, item: OutboxItem) -> dict[str, Any]:
        op = item.payload.get("op")
        try:
            if op == "create":
                return self._create(item)
            if op == "push":
                return self._push(item)
            if op == "refresh":
                return self._refresh(item)
            if op == "assignee":
                return self._assignee(item)
        except TrackerError as error:
            if not error.retryable or item.attempts >= MAX_ATTEMPTS:
                self._gave_up(item, str(error), creating=op == "create" and not error.may_have_landed)
            raise DeliveryError(
                str(error),
                retryable=error.retryable,
                may_have_landed=error.may_have_landed,
                retry_after=error.retry_after,
            ) from None
        raise DeliveryError(f"unknown ticket work {op!r}", retryable=False)

    def can_look_up(self, item: OutboxItem) -> bool:
        return True

    def find_delivered(self, item: OutboxItem) -> dict[str, Any] | object | None:
        """A create: the ticket carrying the item's marker, recorded when found. Anything else
        is safe to do again: not delivered."""
        if item.payload.get("op") != "create":
            return None
        with self.sessions() as session:
            ticket = repo.ticket_of(session, item.payload["item_id"])
            if ticket is None:
                return None
            if ticket.key:
                return {"key": ticket.key}
            tracker = ticket.tracker
        found = self._client(tracker).find(item_marker(item.team_id, item.payload["item_id"]), since=item.created_at)
        if found is None:
            return None
        self._record(item.payload["item_id"], found)
        log.info(
            "ticket of item %s: an earlier create had landed (%s); not filed again", item.payload["item_id"], found.key
        )
        return {"key": found.key, "url": found.url}

    def _create(self, item: OutboxItem) -> dict[str, Any]:
        item_id = item.payload["item_id"]
        with self.sessions() as session:
            ticket = repo.ticket_of(session, item_id)
            row = items_repo.find_item(session, item.team_id, item_id)
            if ticket is None or row is None:
                raise DeliveryError(f"item {item_id} or its ticket is gone", retryable=False)
            if ticket.key:
                return {"key": ticket.key}
            incident = session.get(Incident, row.incident_id)
            tracker, text, due, owner = ticket.tracker, row.text, row.due, row.owner_id
            channel = incident.channel_id if incident else None
            severity = incident.severity if incident else None
            incident_id = incident.id if incident else None
        client = self._client(tracker)
        marker = item_marker(item.team_id, item_id)
        if item.payload.get("look_first"):
            found = client.find(marker, since=item.created_at)
            if found is not None:
                self._record(item_id, found)
                return {"key": found.key, "url": found.url}
        person = self.person_of(item.team_id, owner) if owner else Person(None, None)
        assignee = client.user_for_email(person.email) if person.email else None
        draft = TicketDraft(
            marker=marker,
            title=ticket_title(text),
            text=text,
            due=due,
            owner_name=person.name or person.email or owner,
            assignee=assignee,
            channel_url=f"https://slack.com/app_redirect?channel={channel}&team={item.team_id}" if channel else None,
            page_url=incident_page(self.settings.public_url, incident_id) if incident_id else None,
            labels=tuple(label_word(word) for word in ("incident", severity or "", marker) if word),
        )
        made = client.create(draft)
        self._record(item_id, made)
        return {"key": made.key, "url": made.url}

    def _push(self, item: OutboxItem) -> dict[str, Any]:
        item_id = item.payload["item_id"]
        with self.sessions() as session:
            ticket = repo.ticket_of(session, item_id)
            row = items_repo.find_item(session, item.team_id, item_id)
            if ticket is None or row is None:
                return {}
            if ticket.key is None:
                if ticket.state == FAILED:
                    raise DeliveryError(f"item {item_id} has no ticket: filing gave up", retryable=False)
                raise DeliveryError(f"item {item_id}: its ticket is not made yet", retryable=True)
            if row.status not in ("open", "done"):
                return {}  # closed as not done: that came from the tracker
            linked = Linked(ticket.key, ticket.remote_id, ticket.etag)
            tracker, status, due, owner = ticket.tracker, row.status, row.due, row.owner_id
        client = self._client(tracker)
        person = self.person_of(item.team_id, owner) if owner else Person(None, None)
        assignee = client.user_for_email(person.email) if person.email else None
        now = client.push(linked, Wanted(DONE if status == "done" else OPEN, due, assignee))
        self._record(item_id, now)
        return {"key": now.key}

    def _assignee(self, item: OutboxItem) -> dict[str, Any]:
        """The tracker's new assignee becomes the owner here when the email maps to a Slack
        user; a change from the tracker, so nothing is written back."""
        user_id = self.user_by_email(item.team_id, item.payload["email"])
        if user_id is None:
            return {"owner": None}
        with self.sessions.begin() as session:
            row = items_repo.find_item(session, item.team_id, item.payload["item_id"], lock=True)
            ticket = repo.ticket_of(session, item.payload["item_id"])
            if row is None or row.status != "open" or row.owner_id == user_id or ticket is None:
                return {"owner": user_id}
            if ticket.last_event_at is not None and ticket.last_event_at > datetime.fromisoformat(item.payload["at"]):
                return {"owner": None}  # changed here since: the later change stands
            previous, row.owner_id = row.owner_id, user_id
            items_repo.add_event(
                session,
                row.id,
                kind="reassigned",
                user_id=None,
                old=previous,
                new=user_id,
                at=datetime.fromisoformat(item.payload["at"]),
                origin=ticket.tracker,
            )
        return {"owner": user_id}

    def _refresh(self, item: OutboxItem) -> dict[str, Any]:
        item_id = item.payload["item_id"]
        with self.sessions() as session:
            ticket = repo.ticket_of(session, item_id)
            if ticket is None or ticket.key is None:
                return {}
            tracker, key = ticket.tracker, ticket.key
        found = self._client(tracker).get(key)
        self._record(item_id, found)
        return {"key": found.key}

    def _record(self, item_id: int, remote: RemoteTicket) -> None:
        with self.sessions.begin() as session:
            ticket = repo.ticket_of(session, item_id, lock=True)
            if ticket is None:
                return
            ticket.key = remote.key
            ticket.url = remote.url or ticket.url
            ticket.remote_id = remote.remote_id or ticket.remote_id
            ticket.state = remote.state
            ticket.remote_state = remote.remote_state
            ticket.etag = remote.etag or ticket.etag
            ticket.error = None

    def _gave_up(self, item: OutboxItem, error: str, *, creating: bool) -> None:
        with self.sessions.begin() as session:
            ticket = repo.ticket_of(session, item.payload["item_id"], lock=True)
            if ticket is None:
                return
            ticket.error = error
            if creating and ticket.key is None:
                ticket.state = FAILED


def deliver_tickets(
    sessions: sessionmaker[Session],
    *,
    settings: Settings,
    person_of: PersonOf,
    clock: Callable[[], datetime],
    team_id: str | None = None,
    client_for: ClientFor = client_for,
    user_by_email: UserByEmail = _nobody,
) -> DeliveryReport:
    """Do (or retry) the tracker work owed, for one workspace or all."""
    senders: dict[str, TicketSender] = {}

    def sender_for(team: str) -> TicketSender:
        if team not in senders:
            senders[team] = TicketSender(
                sessions,
                settings=settings,
                team_id=team,
                person_of=person_of,
                client_for=client_for,
                user_by_email=user_by_email,
            )
        return senders[team]

    return outbox.deliver_due(sessions, sender_for, clock=clock, team_id=team_id, tickets=True)


@dataclass
class PollReport:
    tickets: int = 0
    changed: int = 0
    applied: int = 0


POLL_PAGE = 1000


def poll_tickets(
    sessions: sessionmaker[Session],
    *,
    settings: Settings,
    now: datetime,
    render: Render | None,
    client_for: ClientFor = client_for,
) -> PollReport:
    """Read every linked ticket of an open item from trackers that send no webhook here, in
    batches, and apply what changed there since we last looked."""
    report = PollReport()
    with sessions() as session:
        pairs = repo.polled_teams(session)
    for team_id, tracker_name in pairs:
        with sessions() as session:
            account = accounts_for(session, settings, team_id).get(Tracker(tracker_name))
        if account is None or account.webhook_secret:
            continue
        client = client_for(account)
        after = 0
        while True:
            with sessions() as session:
                rows = repo.linked_to_poll(
                    session, team_id=team_id, tracker=tracker_name, after_id=after, limit=POLL_PAGE
                )
                known = {row.key: (row.state, row.etag) for row in rows}
                linked = [Linked(row.key or "", row.remote_id, row.etag) for row in rows]
            if not rows:
                break
            after = rows[-1].id
            report.tickets += len(rows)
            try:
                found = client.poll(linked)
            except TrackerError as error:
                log.warning("polling %s of %s: %s; next pass tries again", tracker_name, team_id, error)
                break
            moved = [t for t in found if known.get(t.key, (None, None))[0] != t.state]
            report.changed += len(moved)
            with sessions.begin() as session:
                for event in events_of(moved, Tracker(tracker_name), now=now):
                    report.applied += apply_event(session, team_id=team_id, event=event, now=now, render=render)
                for ticket in found:
                    if ticket.etag and ticket.etag != known.get(ticket.key, (None, None))[1]:
                        row = repo.find_ticket(
                            session, team_id=team_id, tracker=tracker_name, key=ticket.key, remote_id=None
                        )
                        if row is not None:
                            row.etag = ticket.etag
            if len(rows) < POLL_PAGE:
                break
    return report
