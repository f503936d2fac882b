"""Deliver what the outbox owes Slack: retried until it lands, never sent twice.

How "never twice" holds:
- a row is *claimed* (pending → sending, a conditional UPDATE committed before the call), so
  two schedulers or web processes never send the same row;
- a process that dies after claiming leaves the row in 'sending'. After ``STUCK_AFTER`` the
  recovery pass asks the sender whether the post is in Slack (messages carry their outbox key
  in message metadata): found → 'sent'; not found → back to 'pending'; cannot tell → 'uncertain'
  (logged, never resent). A duplicate is worse than a gap someone can see;
- a failure Slack tells us about is retried with backoff (slack_sdk already retried 429/5xx
  inside the call); before each retry the earlier attempt is looked up in Slack, since a 5xx
  or a dropped connection can come after the post was made; a permanent failure (channel
  gone, app removed) is 'failed' and logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from storage import outbox as repo

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(minutes=5)
CHANNEL_INTERVAL_SECONDS = 1.0
"""Slack allows about one chat.postMessage per second per channel."""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    team_id: str
    key: str
    kind: str
    channel: str
    payload: dict[str, Any]
    attempts: int
    claimed_at: datetime | None
    created_at: datetime
    """No attempt can have posted before this: where a lookup in Slack starts."""


class DeliveryError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


UNKNOWN = object()


class Sender(Protocol):
    def send(self, item: OutboxItem) -> dict[str, Any]:
        """Deliver the item; return what Slack answered (e.g. the message ts)."""

    def find_delivered(self, item: OutboxItem) -> dict[str, Any] | None | object:
        """Whether a claimed item is already in Slack: a result, None (not there) or UNKNOWN."""


class Pacer:
    """Keeps posts to one channel at least ``interval`` seconds apart within a delivery pass."""

    def __init__(self, interval: float = CHANNEL_INTERVAL_SECONDS, *, sleep: Callable[[float], None] = time.sleep, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.sleep = sleep
        self.monotonic = monotonic
        self.last: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        previous = self.last.get(channel)
        if previous is not None:
            remaining = self.interval - (self.monotonic() - previous)
            if remaining > 0:
                self.sleep(remaining)
        self.last[channel] = self.monotonic()


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0
    uncertain: int = 0


def enqueue(session: Session, *, team_id: str, key: str, kind: str, channel: str, payload: dict[str, Any], now: datetime) -> bool:
    return repo.enqueue(session, team_id=team_id, key=key, kind=kind, channel=channel, payload=payload, now=now)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))


def _item(row: Any) -> OutboxItem:
    return OutboxItem(row.id, row.team_id, row.key, row.kind, row.channel, dict(row.payload), row.attempts, row.claimed_at, row.created_at)


def deliver_due(
    sessions: sessionmaker[Session],
    sender_for: Callable[[str], Sender],
    *,
    now: datetime,
    team_id: str | None = None,
    limit: int = 200,
    pacer: Pacer | None = None,
) -> DeliveryReport:
    """Recover stuck rows, then send every due row once. ``sender_for(team_id)`` gives the
    sender holding that workspace's token."""
    report = DeliveryReport()
    pacer = pacer or Pacer()
    _recover(sessions, sender_for, now=now, report=report)
    with sessions() as session:
        ids = repo.due_ids(session, now=now, limit=limit, team_id=team_id)
    for message_id in ids:
        with sessions.begin() as session:
            row = repo.claim(session, message_id, now=now)
            item = _item(row) if row is not None else None
        if item is None:
            continue
        sender = sender_for(item.team_id)
        if item.attempts > 1 and _already_delivered(sessions, sender, item, now=now):
            report.recovered += 1
            continue
        pacer.wait(item.channel)
        try:
            result = sender.send(item)
        except DeliveryError as error:
            _record_failure(sessions, item, error, now=now, report=report)
            continue
        except Exception as error:  # an unexpected bug must not leave the row claimed forever
            log.exception("outbox %s: unexpected error while sending", item.key)
            _record_failure(sessions, item, DeliveryError(repr(error), retryable=True), now=now, report=report)
            continue
        with sessions.begin() as session:
            repo.finish(session, item.id, state="sent", now=now, result=result)
        report.sent += 1
    return report


def _already_delivered(sessions: sessionmaker[Session], sender: Sender, item: OutboxItem, *, now: datetime) -> bool:
    """Before a retry: did an earlier attempt land after all (Slack answered 5xx or the
    connection dropped after the post was made)? Then record it instead of posting again."""
    try:
        found = sender.find_delivered(item)
    except Exception:
        log.warning("outbox %s: could not check an earlier attempt; retrying", item.key, exc_info=True)
        return False
    if not isinstance(found, dict):
        return False
    with sessions.begin() as session:
        repo.finish(session, item.id, state="sent", now=now, result=found)
    log.info("outbox %s: an earlier attempt had been delivered; not sent again", item.key)
    return True


def _record_failure(sessions: sessionmaker[Session], item: OutboxItem, error: DeliveryError, *, now: datetime, report: DeliveryReport) -> None:
    with sessions.begin() as session:
        if error.retryable and item.attempts < MAX_ATTEMPTS:
            repo.finish(session, item.id, state="pending", now=now, error=str(error)[:2000], not_before=now + backoff(item.attempts))
            report.retried += 1
            log.warning("outbox %s: attempt %d failed, will retry: %s", item.key, item.attempts, error)
        else:
            repo.finish(session, item.id, state="failed", now=now, error=str(error)[:2000])
            report.failed += 1
            log.error("outbox %s: gave up after %d attempts: %s", item.key, item.attempts, error)


def _recover(sessions: sessionmaker[Session], sender_for: Callable[[str], Sender], *, now: datetime, report: DeliveryReport) -> None:
    with sessions() as session:
        stuck = [_item(row) for row in repo.stuck(session, claimed_before=now - STUCK_AFTER)]
    for item in stuck:
        try:
            found = sender_for(item.team_id).find_delivered(item)
        except Exception:
            log.warning("outbox %s: could not check whether it was delivered", item.key, exc_info=True)
            continue
        with sessions.begin() as session:
            if found is UNKNOWN:
                repo.finish(session, item.id, state="uncertain", now=now, error="process stopped while sending; delivery could not be verified")
                report.uncertain += 1
                log.error("outbox %s: delivery unknown after a crash; not resent", item.key)
            elif found is None:
                repo.finish(session, item.id, state="pending", now=now, error="process stopped before sending")
                report.recovered += 1
            else:
                repo.finish(session, item.id, state="sent", now=now, result=found)  # type: ignore[arg-type]
                report.recovered += 1
