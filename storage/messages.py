"""Message upserts that end in the latest state whatever order Slack delivers events in.

The same rules as the live writer (storage/live_messages.py), for backfills and imports. The
unique key (team_id, channel_id, ts) decides. A message is written only into an open incident
(the INSERT selects the incident row, so a closed one yields no row); a post never overwrites a
row that exists; an edit wins only over an older edit of a message of the same incident; a
deletion wins over everything, is never undone, and also reaches a message a closed incident
keeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.core.messages import MessageDeletion, MessagePost
from storage.models import Incident, KeyMark, Message
from storage.upsert import insert_for

_KEY = ["team_id", "channel_id", "ts"]
_COLUMNS = (
    "team_id",
    "channel_id",
    "ts",
    "thread_ts",
    "user_id",
    "bot_id",
    "bot_name",
    "subtype",
    "text",
    "files",
    "posted_at",
    "edited_at",
    "deleted_at",
    "source",
)
_TABLE = Message.metadata.tables[Message.__tablename__]


def _files(post: MessagePost) -> list[dict[str, Any]] | None:
    if not post.files:
        return None
    return [{"name": f.name, "url": f.url} for f in post.files]


def _values(post: MessagePost, *, incident_id: int, team_id: str, channel_id: str, source: str) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "team_id": team_id,
        "channel_id": channel_id,
        "ts": post.ts,
        "thread_ts": post.thread_ts,
        "user_id": post.user,
        "bot_id": post.bot_id,
        "bot_name": post.bot_name,
        "subtype": post.subtype,
        "text": post.text,
        "files": _files(post),
        "posted_at": post.posted_at,
        "edited_at": post.edited_at,
        "deleted_at": None,
        "source": source,
    }


def _into_open_incident(session: Session) -> Any:
    """``INSERT … SELECT`` of one row of bound values per open incident ``:incident_id`` (none
    when it is closed); run with one dict of values or many (executemany)."""
    row = [bindparam(name, type_=_TABLE.c[name].type) for name in _COLUMNS]
    source = select(Incident.id, *row).where(Incident.id == bindparam("incident_id"), Incident.closed_at.is_(None))
    return insert_for(session, _TABLE).from_select(["incident_id", *_COLUMNS], source)


def save_post(
    session: Session, post: MessagePost, *, incident_id: int, team_id: str, channel_id: str, source: str = "live"
) -> None:
    """Store a message; an edit updates it if it is newer than what is stored and not deleted."""
    stmt = _into_open_incident(session)
    values = _values(post, incident_id=incident_id, team_id=team_id, channel_id=channel_id, source=source)
    if post.edited_at is None:
        session.execute(stmt.on_conflict_do_nothing(index_elements=_KEY), values)
        return
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=_KEY,
            set_={
                "text": stmt.excluded.text,
                "files": stmt.excluded.files,
                "edited_at": stmt.excluded.edited_at,
            },
            where=and_(
                Message.deleted_at.is_(None),
                or_(Message.edited_at.is_(None), Message.edited_at < stmt.excluded.edited_at),
                Message.incident_id == stmt.excluded.incident_id,
            ),
        ),
        values,
    )


def save_posts(
    session: Session, posts: list[MessagePost], *, incident_id: int, team_id: str, channel_id: str, source: str
) -> None:
    """Bulk form of save_post for posts that are not edits (backfill, import)."""
    if not posts:
        return
    rows = [_values(p, incident_id=incident_id, team_id=team_id, channel_id=channel_id, source=source) for p in posts]
    session.execute(_into_open_incident(session).on_conflict_do_nothing(index_elements=_KEY), rows)


def save_deletion(
    session: Session, deletion: MessageDeletion, *, posted_at: datetime, incident_id: int, team_id: str, channel_id: str
) -> None:
    """Remove the text; leave a tombstone so a late redelivery of the post cannot restore it."""
    stmt = _into_open_incident(session)
    values = dict.fromkeys(_COLUMNS) | {
        "incident_id": incident_id,
        "team_id": team_id,
        "channel_id": channel_id,
        "ts": deletion.ts,
        "posted_at": posted_at,
        "deleted_at": deletion.deleted_at,
        "source": "live",
    }
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=_KEY,
            set_={"text": None, "files": None, "deleted_at": stmt.excluded.deleted_at},
            where=Message.deleted_at.is_(None),
        ),
        values,
    )
    # A message a closed incident keeps loses its text too (the insert above found no open one).
    session.execute(
        update(_TABLE)
        .where(
            _TABLE.c.team_id == team_id,
            _TABLE.c.channel_id == channel_id,
            _TABLE.c.ts == deletion.ts,
            _TABLE.c.deleted_at.is_(None),
        )
        .values(text=None, files=None, deleted_at=deletion.deleted_at)
    )


def messages_for(session: Session, incident_id: int, *, batch: int = 5000) -> Iterator[Message]:
    """All messages of an incident in chronological order, streamed in batches."""
    stmt = (
        select(Message)
        .where(Message.incident_id == incident_id)
        .order_by(Message.posted_at, Message.ts)
        .execution_options(yield_per=batch)
    )
    yield from session.scalars(stmt)


def set_key_mark(
    session: Session, *, team_id: str, channel_id: str, ts: str, kind: str, user_id: str, now: datetime
) -> None:
    stmt = insert_for(session, KeyMark).values(
        team_id=team_id, channel_id=channel_id, ts=ts, kind=kind, user_id=user_id, created_at=now
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=["team_id", "channel_id", "ts", "kind", "user_id"]))


def clear_key_mark(session: Session, *, team_id: str, channel_id: str, ts: str, kind: str, user_id: str) -> None:
    session.execute(
        delete(KeyMark).where(
            KeyMark.team_id == team_id,
            KeyMark.channel_id == channel_id,
            KeyMark.ts == ts,
            KeyMark.kind == kind,
            KeyMark.user_id == user_id,
        )
    )


def key_ts(session: Session, *, team_id: str, channel_id: str) -> set[str]:
    """The ts of every message marked as a key event in the channel."""
    return set(
        session.scalars(
            select(KeyMark.ts).where(KeyMark.team_id == team_id, KeyMark.channel_id == channel_id).distinct()
        )
    )


def count_messages(session: Session, incident_id: int) -> int:
    """Messages recorded for the incident, deleted ones excluded."""
    count = session.scalar(
        select(func.count())
        .select_from(Message)
        .where(Message.incident_id == incident_id, Message.deleted_at.is_(None))
    )
    return int(count or 0)


def known_ts(session: Session, *, team_id: str, channel_id: str, ts: list[str]) -> set[str]:
    """Which of these ts the channel's record already has (deleted ones included)."""
    if not ts:
        return set()
    return set(
        session.scalars(
            select(Message.ts).where(Message.team_id == team_id, Message.channel_id == channel_id, Message.ts.in_(ts))
        )
    )
