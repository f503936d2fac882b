"""Work accepted in an answer and done after it: never lost, never done twice.

Slack waits 3 s for an answer and the Web API can take longer than that, so whatever needs
Slack (a zone lookup, creating a channel, a backfill) is written as *deferred work* in the
answer's own transaction and done once the answer is out: at once by the request's lazy
listener, or by the clock if that process died.

How "once" holds:
- a row is *claimed* (pending → running, with a fresh token and the claim's own timestamp),
  so two processes never run the same row;
- work whose effect is a database write completes the row in the same transaction as that
  write (:func:`complete`), so a crash either leaves both undone or both done;
- a row left 'running' longer than ``STUCK_AFTER`` by a process that died is run again (the
  work kinds are written to be safe to resume), up to ``MAX_ATTEMPTS`` in all;
- what fails is retried with backoff; when it is given up, after its last attempt failed or
  its process died, the person is told once (only the process whose change of the row
  holds tells them); while Slack's Web API cannot be reached at all, the attempts are not
  counted: the work waits for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from storage import deferred as repo
from storage.models import DeferredWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
ROUNDS = 3
"""How many times one pass looks again for work that the work it ran has owed."""
STUCK_AFTER = timedelta(minutes=15)
"""Longer than any one piece of work runs (a backfill waits out rate limits), so only a dead
claimer's rows count as stuck."""


@dataclass(frozen=True)
class Work:
    id: int
    team_id: str
    key: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    token: str = field(repr=False)


class RetryLater(Exception):
    """The work could not be done now (Slack down, rate limited): try again with backoff."""


class SlackUnreachable(RetryLater):
    """Slack's Web API could not be reached at all: nothing was tried, so the attempt is not
    counted; the work waits (``UNREACHABLE_WAIT`` at a time) until Slack answers again."""


UNREACHABLE_WAIT = timedelta(seconds=30)


@dataclass
class WorkReport:
    done: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0


def accept(session: Session, *, team_id: str, key: str, kind: str, payload: dict[str, Any], now: datetime) -> bool:
    """Owe this work, in the caller's transaction; the same key again changes nothing."""
    return repo.enqueue(session, team_id=team_id, key=key, kind=kind, payload=payload, now=now)


def complete(session: Session, work: Work, *, now: datetime) -> bool:
    """Mark the work done in the caller's transaction (the one that writes its effect).
    False when this claim no longer holds it: the effect must not be written."""
    return repo.finish(session, work.id, work.token, state="done", now=now)


def save_progress(sessions: sessionmaker[Session], work: Work, payload: dict[str, Any]) -> Work:
    """Keep what a step achieved, so a rerun after a crash resumes instead of repeating it."""
    with sessions.begin() as session:
        if not repo.save_progress(session, work.id, work.token, payload):
            raise RetryLater(f"work {work.key} is no longer held by this claim")
    return Work(work.id, work.team_id, work.key, work.kind, payload, work.attempts, work.created_at, work.token)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), timedelta(minutes=10))


def _work(row: DeferredWork) -> Work:
    return Work(
        row.id, row.team_id, row.key, row.kind, dict(row.payload), row.attempts, row.created_at, row.claim_token or ""
    )


def run_owed(
    sessions: sessionmaker[Session],
    run: Callable[[Work], None],
    *,
    clock: Callable[[], datetime],
    gave_up: Callable[[Work, Exception], None],
    team_id: str | None = None,
    limit: int = 50,
) -> WorkReport:
    """Recover stuck rows, then run every due row once. ``team_id`` scopes both to one
    workspace (a request's lazy listener holds only that workspace's token)."""
    report = WorkReport()
    _recover(sessions, now=clock(), team_id=team_id, report=report, gave_up=gave_up)
    for _ in range(ROUNDS):  # work may owe more work (a deferred start owes its backfill)
        with sessions() as session:
            ids = repo.due_ids(session, now=clock(), limit=limit, team_id=team_id)
        if not ids:
            break
        for work_id in ids:
            _run_one(sessions, work_id, run, clock=clock, gave_up=gave_up, report=report)
    return report


def _run_one(
    sessions: sessionmaker[Session],
    work_id: int,
    run: Callable[[Work], None],
    *,
    clock: Callable[[], datetime],
    gave_up: Callable[[Work, Exception], None],
    report: WorkReport,
) -> None:
    with sessions.begin() as session:
        row = repo.claim(session, work_id, now=clock())
        work = _work(row) if row is not None else None
    if work is None:
        return  # another process has it
    try:
        run(work)
    except RetryLater as error:
        _retry_or_give_up(sessions, work, error, now=clock(), report=report, gave_up=gave_up)
        return
    except Exception as error:
        log.exception("deferred %s %s failed", work.kind, work.key)
        _retry_or_give_up(sessions, work, error, now=clock(), report=report, gave_up=gave_up)
        return
    with sessions.begin() as session:
        repo.finish(session, work.id, work.token, state="done", now=clock())  # no-op when the work completed itself
    report.done += 1


def _retry_or_give_up(
    sessions: sessionmaker[Session],
    work: Work,
    error: Exception,
    *,
    now: datetime,
    report: WorkReport,
    gave_up: Callable[[Work, Exception], None],
) -> None:
    text = f"{error.__class__.__name__}: {error}"[:2000]
    with sessions.begin() as session:
        if isinstance(error, SlackUnreachable):
            repo.finish(
                session,
                work.id,
                work.token,
                state="pending",
                now=now,
                error=text,
                not_before=now + UNREACHABLE_WAIT,
                counted=False,
            )
            report.retried += 1
            log.warning("deferred %s %s: Slack's Web API is unreachable, will retry: %s", work.kind, work.key, text)
            return
        if work.attempts < MAX_ATTEMPTS:
            repo.finish(
                session,
                work.id,
                work.token,
                state="pending",
                now=now,
                error=text,
                not_before=now + backoff(work.attempts),
            )
            report.retried += 1
            log.warning("deferred %s %s: attempt %d failed, will retry: %s", work.kind, work.key, work.attempts, text)
            return
        held = repo.finish(session, work.id, work.token, state="failed", now=now, error=text)
    report.failed += 1
    log.error("deferred %s %s: gave up after %d attempts: %s", work.kind, work.key, work.attempts, text)
    if held:
        _tell_given_up(work, error, gave_up)


def _recover(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    team_id: str | None,
    report: WorkReport,
    gave_up: Callable[[Work, Exception], None],
) -> None:
    """Put rows a dead process left 'running' back to run, or give them up after their last
    attempt and tell the person. Each row changes in a transaction of its own, under the token
    of the claim that died: when two clocks recover the same row, one of them does it."""
    with sessions() as session:
        rows = [_work(row) for row in repo.stuck(session, claimed_before=now - STUCK_AFTER, team_id=team_id)]
    for work in rows:
        state = "pending" if work.attempts < MAX_ATTEMPTS else "failed"
        with sessions.begin() as session:
            held = repo.finish(session, work.id, work.token, state=state, now=now, error=STOPPED)
        if not held:
            continue  # another process recovered it first
        report.recovered += 1
        log.warning("deferred %s %s: its process stopped while running; now %s", work.kind, work.key, state)
        if state == "failed":
            report.failed += 1
            _tell_given_up(work, ProcessStopped(STOPPED), gave_up)


STOPPED = "process stopped while running"


class ProcessStopped(Exception):
    """The process running the work died (killed, out of memory, redeployed) before it finished."""


def _tell_given_up(work: Work, error: Exception, gave_up: Callable[[Work, Exception], None]) -> None:
    try:
        gave_up(work, error)
    except Exception:
        log.warning("deferred %s %s: could not tell the person it was given up", work.kind, work.key, exc_info=True)
