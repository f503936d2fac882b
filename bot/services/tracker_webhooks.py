"""A tracker's webhook delivery: which secret proves it and which workspace it is for, and
storing it (once per delivery) with what it changes, in one transaction.

``POST /webhooks/<tracker>`` is the settings' (``JIRA_WEBHOOK_SECRET`` …) for the single
workspace; ``POST /webhooks/<tracker>/<team id>`` that workspace's own (``scribe trackers add``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.tickets import TicketEvent
from bot.services.tickets import Render, apply_event
from bot.services.webhook_endpoints import OperatorWebhooks
from storage import tickets as repo


@dataclass(frozen=True)
class TrackerCredentials:
    team_id: str
    secret: str = field(repr=False)
    site: str


def tracker_credentials(
    session: Session, operator: OperatorWebhooks, *, tracker: str, team_id: str | None
) -> TrackerCredentials | None:
    """What authenticates a delivery on this path, or None (answered 404)."""
    own = operator.trackers.get(tracker)
    if team_id is None:
        team = operator.the_team() if own else None
        return TrackerCredentials(team, own.secret, own.site) if team and own else None
    for account in repo.accounts(session, team_id=team_id):
        if account.tracker == tracker and account.webhook_secret:
            return TrackerCredentials(team_id, account.webhook_secret, account.site)
    if own and team_id == operator.the_team():
        return TrackerCredentials(team_id, own.secret, own.site)
    return None


def delivery_key(delivery_id: str | None, body: bytes) -> str:
    """What tells a redelivery: the tracker's delivery id, or the body itself when it sent none."""
    return hashlib.sha256(delivery_id.encode() if delivery_id else body).hexdigest()


def record_tracker_delivery(
    session: Session,
    *,
    team_id: str,
    tracker: str,
    delivery: str,
    body: str,
    events: Sequence[TicketEvent],
    now: datetime,
    render: Render | None,
) -> int | None:
    """Store the delivery and apply its events; how many changed an item, or None for a
    redelivery (nothing is changed again, even after a later change)."""
    if not repo.record_delivery(session, tracker=tracker, delivery=delivery, team_id=team_id, body=body, now=now):
        return None
    return sum(apply_event(session, team_id=team_id, event=event, now=now, render=render) for event in events)
