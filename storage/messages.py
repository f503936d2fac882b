"""Message upserts that end in the latest state whatever order Slack delivers events in.

The unique key (team_id, channel_id, ts) decides. A post never overwrites a row that exists; an
edit wins only over an older edit; a deletion wins over everything and is never undone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from bot.core.messages import MessageDeletion, MessagePost
from storage.models import KeyMark, Message
from storage.upsert import insert_for

_KEY = ["team_id", "channel_id", "ts"]


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
        "source": source,
    }


def save_post(
    session: Session, post: MessagePost, *, incident_id: int, team_id: str, channel_id: str, source: str = "live"
) -> None:
    """Store a message; an edit updates it if it is newer than what is stored and not deleted."""
    stmt = insert_for(session, Message).values(
        _values(post, incident_id=incident_id, team_id=team_id, channel_id=channel_id, source=source)
    )
    if post.edited_at is None:
        session.execute(stmt.on_conflict_do_nothing(index_elements=_KEY))
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
            ),
        )
    )


def save_posts(
    session: Session, posts: list[MessagePost], *, incident_id: int, team_id: str, channel_id: str, source: str
) -> None:
    """Bulk form of save_post for posts that are not edits (backfill, import)."""
    if not posts:
        return
    rows = [_values(p, incident_id=incident_id, team_id=team_id, channel_id=channel_id, source=source) for p in posts]
    session.execute(insert_for(session, Message).values(rows).on_conflict_do_nothing(index_elements=_KEY))


def save_deletion(
    session: Session, deletion: MessageDeletion, *, posted_at: datetime, incident_id: int, team_id: str, channel_id: str
) -> None:
    """Remove the text; leave a tombstone so a late redelivery of the post cannot restore it."""
    stmt = insert_for(session, Message).values(
        incident_id=incident_id,
        team_id=team_id,
        channel_id=channel_id,
        ts=deletion.ts,
        text=None,
        files=None,
        posted_at=posted_at,
        deleted_at=deletion.deleted_at,
        source="live",
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=_KEY,
            set_={"text": None, "files": None, "deleted_at": stmt.excluded.deleted_at},
            where=Message.deleted_at.is_(None),
        )
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
        select(func.count()).select_from(Message).where(Message.incident_id == incident_id, Message.deleted_at.is_(None))
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
