"""Outbox queries. A claim is a conditional UPDATE, so two processes never send the same row, and
only the holder of a claim can record how it ended."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxMessage
from storage.upsert import insert_for

TICKET_KIND = "ticket"
"""Rows owed to a tracker, not to Slack: each delivery pass takes one kind or the other."""


def _of_queue(tickets: bool) -> Any:
    return OutboxMessage.kind == TICKET_KIND if tickets else OutboxMessage.kind != TICKET_KIND


def enqueue(
    session: Session,
    *,
    team_id: str,
    key: str,
    kind: str,
    channel: str,
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Add a post unless one with this key exists; True when it was added."""
    stmt = (
        insert_for(session, OutboxMessage)
        .values(
            team_id=team_id,
            key=key,
            kind=kind,
            channel=channel,
            payload=payload,
            state="pending",
            attempts=0,
            created_at=now,
            not_before=not_before or now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "key"])
        .returning(OutboxMessage.id)
    )
    return session.execute(stmt).scalar() is not None


@dataclass(frozen=True)
class Post:
    """One post to put in the outbox (see :func:`enqueue_many`)."""

    team_id: str
    key: str
    kind: str
    channel: str
    payload: dict[str, Any]


def _pending_rows(posts: Sequence[Post], *, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "team_id": p.team_id,
            "key": p.key,
            "kind": p.kind,
            "channel": p.channel,
            "payload": p.payload,
            "state": "pending",
            "attempts": 0,
            "created_at": now,
            "not_before": now,
        }
        for p in posts
    ]


def enqueue_many(session: Session, posts: Sequence[Post], *, now: datetime) -> None:
    """Put many posts in the outbox with one executemany; a key already there is left alone."""
    if not posts:
        return
    rows = _pending_rows(posts, now=now)
    stmt = insert_for(session, OutboxMessage.__table__).on_conflict_do_nothing(index_elements=["team_id", "key"])
    session.execute(stmt, rows)


def enqueue_new(session: Session, posts: Sequence[Post], *, now: datetime) -> set[str]:
    """Put many posts in the outbox in one statement; returns the keys this call added (a key
    already there, queued by a rerun or by another process meanwhile, is left alone)."""
    if not posts:
        return set()
    rows = _pending_rows(posts, now=now)
    stmt = (
        insert_for(session, OutboxMessage)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["team_id", "key"])
        .returning(OutboxMessage.team_id, OutboxMessage.key)
    )
    return {f"{team}/{key}" for team, key in session.execute(stmt)}


def existing_keys(session: Session, keys: Sequence[tuple[str, str]]) -> set[str]:
    """Which of these (team, key) pairs are in the outbox already, as ``team/key``."""
    if not keys:
        return set()
    wanted = {key for _team, key in keys}
    found = session.execute(
        select(OutboxMessage.team_id, OutboxMessage.key).where(OutboxMessage.key.in_(sorted(wanted)))
    )
    return {f"{team}/{key}" for team, key in found}


def due_ids(
    session: Session, *, now: datetime, limit: int, team_id: str | None = None, tickets: bool = False
) -> Sequence[int]:
    stmt = select(OutboxMessage.id).where(
        OutboxMessage.state == "pending", OutboxMessage.not_before <= now, _of_queue(tickets)
    )
    if team_id is not None:
        stmt = stmt.where(OutboxMessage.team_id == team_id)
    return session.scalars(stmt.order_by(OutboxMessage.id).limit(limit)).all()


def claim(session: Session, message_id: int, *, now: datetime) -> OutboxMessage | None:
    """Move a pending row to 'sending' under a fresh claim token, claimed at ``now`` (the
    claim's own moment); None if another process got there first."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == "pending")
        .values(state="sending", claimed_at=now, claim_token=str(uuid4()), attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(OutboxMessage, message_id, populate_existing=True)


def finish(
    session: Session,
    message_id: int,
    *,
    claim_token: str | None,
    state: str,
    now: datetime,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Record how a claim ended. Only its holder can: the row must still be 'sending' under
    ``claim_token`` (None for a claim made before claims had tokens). False, and nothing
    changed, when the claim was lost: the row was recovered by another process meanwhile."""
    values: dict[str, Any] = {"state": state, "last_error": error, "claim_token": None}
    if state == "sent":
        values.update(sent_at=now, result=result)
    if not_before is not None:
        values["not_before"] = not_before
    held = OutboxMessage.claim_token.is_(None) if claim_token is None else OutboxMessage.claim_token == claim_token
    changed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == "sending", held)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE gives a CursorResult (which has the rowcount); Session.execute is typed as any Result.
    return isinstance(changed, CursorResult) and changed.rowcount == 1


def stuck(
    session: Session, *, claimed_before: datetime, team_id: str | None = None, limit: int = 100, tickets: bool = False
) -> Sequence[OutboxMessage]:
    """Rows left in 'sending' by a process that died between claiming and recording (of one
    workspace, with ``team_id``)."""
    stmt = select(OutboxMessage).where(
        OutboxMessage.state == "sending", OutboxMessage.claimed_at < claimed_before, _of_queue(tickets)
    )
    if team_id is not None:
        stmt = stmt.where(OutboxMessage.team_id == team_id)
    return session.scalars(stmt.order_by(OutboxMessage.id).limit(limit)).all()


def by_key(session: Session, *, team_id: str, key: str) -> OutboxMessage | None:
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.team_id == team_id, OutboxMessage.key == key)
    ).one_or_none()
