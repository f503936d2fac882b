"""Retention queries: forget the words of old messages, keep everything that measures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, and_, cast, null, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from storage.models import Message, OutboxMessage

FINISHED = ("sent", "failed", "uncertain")
"""Outbox states after which a post's content is never read again."""


def purge_message_text(session: Session, *, posted_before: datetime, limit: int) -> int:
    """Clear text and file names of up to ``limit`` messages posted before the cutoff; returns
    how many. The row stays (ts, author, time, thread, key marks, deletion tombstone), so the
    timeline keeps its shape and a late redelivery of the post cannot bring the text back."""
    ids = session.scalars(
        select(Message.id)
        .where(Message.posted_at < posted_before, or_(Message.text.is_not(None), _has_files()))
        .order_by(Message.id)
        .limit(limit)
    ).all()
    if not ids:
        return 0
    session.execute(
        update(Message).where(Message.id.in_(ids)).values(text=None, files=null()).execution_options(synchronize_session=False)
    )
    return len(ids)


def _has_files() -> ColumnElement[bool]:
    """A JSON column holds either SQL NULL or the JSON literal null when there are no files."""
    return and_(Message.files.is_not(None), cast(Message.files, String) != "null")


def purge_outbox_payloads(session: Session, *, created_before: datetime, limit: int) -> int:
    """Empty the content of up to ``limit`` finished posts (drafts, DMs, reviews) queued before
    the cutoff; returns how many. Drafts quote messages, so the copy kept to deliver them goes
    the way of the messages. The row stays (key, state, result) so nothing is ever sent twice."""
    ids = session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.state.in_(FINISHED), OutboxMessage.created_at < created_before, cast(OutboxMessage.payload, String) != "{}")
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    if not ids:
        return 0
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(payload={}).execution_options(synchronize_session=False)
    )
    return len(ids)
