"""Retention queries: forget the words of old messages, keep everything that measures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
    return _update_first(
        session,
        Message,
        [Message.posted_at < posted_before, or_(Message.text.is_not(None), _has_files())],
        {"text": None, "files": null()},
        limit=limit,
    )


def _has_files() -> ColumnElement[bool]:
    """A JSON column holds either SQL NULL or the JSON literal null when there are no files."""
    return and_(Message.files.is_not(None), cast(Message.files, String) != "null")


def purge_outbox_payloads(session: Session, *, created_before: datetime, limit: int) -> int:
    """Empty the content of up to ``limit`` finished posts (drafts, DMs, reviews) queued before
    the cutoff; returns how many. Drafts quote messages, so the copy kept to deliver them goes
    the way of the messages. The row stays (key, state, result) so nothing is ever sent twice."""
    return _update_first(
        session,
        OutboxMessage,
        [
            OutboxMessage.state.in_(FINISHED),
            OutboxMessage.created_at < created_before,
            cast(OutboxMessage.payload, String) != "{}",
        ],
        {"payload": {}},
        limit=limit,
    )


def _update_first(
    session: Session, model: Any, conditions: list[ColumnElement[bool]], values: dict[str, Any], *, limit: int
) -> int:
    """Set ``values`` on the first ``limit`` rows (by id) that meet the conditions; returns how
    many. Bounded, so that a first purge of years of history never holds long locks."""
    ids = session.scalars(select(model.id).where(*conditions).order_by(model.id).limit(limit)).all()
    if ids:
        session.execute(
            update(model).where(model.id.in_(ids)).values(**values).execution_options(synchronize_session=False)
        )
    return len(ids)
