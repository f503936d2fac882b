"""Retention queries: forget the words of old messages, keep everything that measures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, and_, cast, null, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from storage.models import Message


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
