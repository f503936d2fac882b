"""Deliver what the outbox owes Slack: retried until it lands, never sent twice.

How "never twice" holds:
- a row is *claimed* (pending → sending, a conditional UPDATE committed before the call, with a
  fresh claim token and the claim's own time), so two schedulers or web processes never send
  the same row; only the claim's holder can record its outcome, so a process presumed dead
  that wakes up changes nothing;
- a process that dies after claiming leaves the row in 'sending'. After ``STUCK_AFTER`` the
  recovery pass asks the sender whether the post is in Slack (messages carry their outbox key
  in message metadata): found → 'sent'; not found → back to 'pending'; cannot tell → 'uncertain'
  (logged, never resent). A duplicate is worse than a gap someone can see. A pass for one
  workspace recovers only that workspace's rows: its sender holds only that workspace's token;
- a failure is retried with backoff (slack_sdk already retried what is safe to retry inside the
  call). Before each retry the earlier attempt is looked up in Slack, since a 5xx or a dropped
  connection can come after the post was made: found → 'sent', cannot tell → 'uncertain', the
  lookup itself failing → looked up again later, never sent blind. What cannot be looked up (a
  file) is 'uncertain' as soon as an attempt may have landed, and otherwise simply retried;
- a permanent failure (channel gone, app removed) is 'failed' and logged.
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
    claim_token: str | None = None
    """The claim this item was read under: only it may record the outcome."""


class DeliveryError(Exception):
    def __init__(
        self, message: str, *, retryable: bool, may_have_landed: bool = False, retry_after: timedelta | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.may_have_landed = may_have_landed
        """Slack may have made the post although the call failed (a 5xx, an answer lost)."""
        self.retry_after = retry_after
        """How long the receiver asked us to wait (a 429's Retry-After): the retry waits at least this."""


UNKNOWN = object()


class Sender(Protocol):
    def send(self, item: OutboxItem) -> dict[str, Any]:
        """Deliver the item; return what Slack answered (e.g. the message ts)."""

    def can_look_up(self, item: OutboxItem) -> bool:
        """Whether :meth:`find_delivered` can ever find this item (a file upload carries no key)."""

    def find_delivered(self, item: OutboxItem) -> dict[str, Any] | object | None:
        """Whether a claimed item is already in Slack: a result, None (not there) or UNKNOWN
        (cannot tell, and never will). Raises when it cannot look now (rate limited, Slack down)."""


class Pacer:
    """Keeps posts to one channel at least ``interval`` seconds apart within a delivery pass."""

    def __init__(
        self,
        interval: float = CHANNEL_INTERVAL_SECONDS,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
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
    lost_claims: int = 0
    """Outcomes not recorded because another process had recovered the row meanwhile."""


def enqueue(
    session: Session, *, team_id: str, key: str, kind: str, channel: str, payload: dict[str, Any], now: datetime
) -> bool:
    return repo.enqueue(session, team_id=team_id, key=key, kind=kind, channel=channel, payload=payload, now=now)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))


def running_from(start: datetime, *, monotonic: Callable[[], float] = time.monotonic) -> Callable[[], datetime]:
    """A clock that reads ``start`` now and then runs in real time: the clock of a pass run
    for a given moment (``scribe jobs run --now``), so each claim still gets its own time."""
    began = monotonic()
    return lambda: start + timedelta(seconds=monotonic() - began)


def _item(row: Any) -> OutboxItem:
    return OutboxItem(
        row.id,
        row.team_id,
        row.key,
        row.kind,
        row.channel,
        dict(row.payload),
        row.attempts,
        row.claimed_at,
        row.created_at,
        row.claim_token,
    )


def deliver_due(
    sessions: sessionmaker[Session],
    sender_for: Callable[[str], Sender],
    *,
    clock: Callable[[], datetime],
    team_id: str | None = None,
    limit: int = 200,
    pacer: Pacer | None = None,
    tickets: bool = False,
) -> DeliveryReport:
    """Recover stuck rows, then send every due row once. ``sender_for(team_id)`` gives the
    sender holding that workspace's token; with ``team_id`` only that workspace's rows are
    recovered or sent. ``clock`` is read once for the pass (what is due, what is stuck) and
    again for each claim and each outcome, so every claim is dated when it was made. With
    ``tickets`` the rows owed to a tracker are delivered instead of those owed to Slack."""
    report = DeliveryReport()
    pacer = pacer or Pacer()
    now = clock()
    _recover(sessions, sender_for, now=now, clock=clock, team_id=team_id, report=report, tickets=tickets)
    with sessions() as session:
        ids = repo.due_ids(session, now=now, limit=limit, team_id=team_id, tickets=tickets)
    for message_id in ids:
        with sessions.begin() as session:
            row = repo.claim(session, message_id, now=clock())
            item = _item(row) if row is not None else None
        if item is None:
            continue
        sender = sender_for(item.team_id)
        if (
            item.attempts > 1
            and sender.can_look_up(item)
            and _settled_by_lookup(sessions, sender, item, clock=clock, report=report)
        ):
            continue
        pacer.wait(item.channel)
        try:
            result = sender.send(item)
        except DeliveryError as error:
            _record_failure(sessions, sender, item, error, clock=clock, report=report)
            continue
        except Exception as error:  # an unexpected bug must not leave the row claimed forever
            log.exception("outbox %s: unexpected error while sending", item.key)
            _record_failure(
                sessions,
                sender,
                item,
                DeliveryError(repr(error), retryable=True, may_have_landed=True),
                clock=clock,
                report=report,
            )
            continue
        if _finish(sessions, item, report, state="sent", now=clock(), result=result):
            report.sent += 1
    return report


def _finish(sessions: sessionmaker[Session], item: OutboxItem, report: DeliveryReport, **outcome: Any) -> bool:
    """Record the outcome under the item's claim; a claim lost meanwhile changes nothing."""
    with sessions.begin() as session:
        recorded = repo.finish(session, item.id, claim_token=item.claim_token, **outcome)
    if not recorded:
        report.lost_claims += 1
        log.warning("outbox %s: not recorded as %s: another process recovered it meanwhile", item.key, outcome["state"])
    return recorded


def _settled_by_lookup(
    sessions: sessionmaker[Session],
    sender: Sender,
    item: OutboxItem,
    *,
    clock: Callable[[], datetime],
    report: DeliveryReport,
) -> bool:
    """Before a retry: did an earlier attempt land after all (Slack answered 5xx or the
    connection dropped after the post was made)? True when the row is settled without sending:
    found ('sent'), cannot tell ('uncertain'), or the lookup failed (pending, to look again)."""
    try:
        found = sender.find_delivered(item)
    except Exception as error:  # noqa: BLE001 (any failure to look means look again later; it is logged)
        log.warning("outbox %s: could not look up the earlier attempt; will look again: %s", item.key, error)
        if item.attempts < MAX_ATTEMPTS:
            now = clock()
            if _finish(
                sessions,
                item,
                report,
                state="pending",
                now=now,
                error=f"lookup failed: {error}"[:2000],
                not_before=now + backoff(item.attempts),
            ):
                report.retried += 1
        elif _finish(
            sessions,
            item,
            report,
            state="uncertain",
            now=clock(),
            error=f"gave up looking up an earlier attempt: {error}"[:2000],
        ):
            report.uncertain += 1
            log.error("outbox %s: could never look up an earlier attempt; not resent", item.key)
        return True
    if found is None:
        return False
    if found is UNKNOWN:
        if _finish(
            sessions,
            item,
            report,
            state="uncertain",
            now=clock(),
            error="an earlier attempt may have landed; it could not be looked up",
        ):
            report.uncertain += 1
            log.error("outbox %s: an earlier attempt may have landed and Slack cannot tell; not resent", item.key)
        return True
    if _finish(sessions, item, report, state="sent", now=clock(), result=found):
        report.recovered += 1
        log.info("outbox %s: an earlier attempt had been delivered; not sent again", item.key)
    return True


def _record_failure(
    sessions: sessionmaker[Session],
    sender: Sender,
    item: OutboxItem,
    error: DeliveryError,
    *,
    clock: Callable[[], datetime],
    report: DeliveryReport,
) -> None:
    now = clock()
    message = str(error)[:2000]
    verifiable = not error.may_have_landed or sender.can_look_up(item)
    if error.retryable and item.attempts < MAX_ATTEMPTS and verifiable:
        wait = max(backoff(item.attempts), error.retry_after or timedelta(0))
        if _finish(sessions, item, report, state="pending", now=now, error=message, not_before=now + wait):
            report.retried += 1
            log.warning(
                "outbox %s: attempt %d failed, will retry%s: %s",
                item.key,
                item.attempts,
                " (looking it up first)" if error.may_have_landed else "",
                error,
            )
    elif error.may_have_landed:
        if _finish(sessions, item, report, state="uncertain", now=now, error=message):
            report.uncertain += 1
            log.error(
                "outbox %s: attempt %d may have landed and cannot be verified; not resent: %s",
                item.key,
                item.attempts,
                error,
            )
    elif _finish(sessions, item, report, state="failed", now=now, error=message):
        report.failed += 1
        log.error("outbox %s: gave up after %d attempts: %s", item.key, item.attempts, error)


def _recover(
    sessions: sessionmaker[Session],
    sender_for: Callable[[str], Sender],
    *,
    now: datetime,
    clock: Callable[[], datetime],
    team_id: str | None,
    report: DeliveryReport,
    tickets: bool = False,
) -> None:
    with sessions() as session:
        stuck = [
            _item(row)
            for row in repo.stuck(session, claimed_before=now - STUCK_AFTER, team_id=team_id, tickets=tickets)
        ]
    for item in stuck:
        try:
            found = sender_for(item.team_id).find_delivered(item)
        except Exception:
            log.warning("outbox %s: could not check whether it was delivered", item.key, exc_info=True)
            continue
        if found is UNKNOWN:
            if _finish(
                sessions,
                item,
                report,
                state="uncertain",
                now=clock(),
                error="process stopped while sending; delivery could not be verified",
            ):
                report.uncertain += 1
                log.error("outbox %s: delivery unknown after a crash; not resent", item.key)
        elif found is None:
            if _finish(sessions, item, report, state="pending", now=clock(), error="process stopped before sending"):
                report.recovered += 1
        elif _finish(sessions, item, report, state="sent", now=clock(), result=found):
            report.recovered += 1
