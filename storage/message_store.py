"""Message upserts that end in the latest state whatever order Slack delivers events in.

The rules are written here once, as SQLAlchemy Core statements: backfills and imports run them
through the session, and the live writer (storage/live_writer.py) runs the same statements,
compiled, on its driver connection. The unique key (team_id, channel_id, ts) decides. A message
is written only into an open incident (the INSERT selects the incident row, so a closed one
yields no row); a post never overwrites a row that exists; an edit wins only over an older
edit of a message of the same incident; a deletion wins over everything, is never undone, and
also reaches a message a closed incident keeps.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, delete, func, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from bot.core.message_changes import MessageDeletion, MessagePost
from storage.models import Incident, KeyMark, Message
from storage.upsert import insert_for

_KEY = ["team_id", "channel_id", "ts"]
COLUMNS = (
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
"""The columns a captured message writes, in the order both writers bind them."""
TIMELINE_COLUMNS = (
    Message.posted_at,
    Message.ts,
    Message.thread_ts,
    Message.user_id,
    Message.bot_id,
    Message.bot_name,
    Message.text,
    Message.files,
    Message.edited_at,
    Message.deleted_at,
)
"""What a timeline shows of a recorded message (the draft's and the pages' reads)."""
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


KINDS = ("post", "edit", "delete")
"""The three rules: a post never overwrites; an edit wins only over an older edit of a message
of the same incident, never over a deletion; a deletion wins over everything, for good."""


@functools.lru_cache(maxsize=16)
def _upsert(dialect: str, kind: str, into: str) -> Any:
    """The statement of one rule, for one row of bound values (or many, run as executemany).

    The row is written only into an open incident: ``into="incident"`` the bound
    ``:incident_id`` when it is open; ``into="channel"`` the open incident of the bound
    ``:team_id`` and ``:channel_id``. A closed incident yields no row to insert."""
    row = [bindparam(name, type_=_TABLE.c[name].type) for name in COLUMNS]
    if into == "incident":
        which = [Incident.id == bindparam("incident_id")]
    else:
        team, channel = row[COLUMNS.index("team_id")], row[COLUMNS.index("channel_id")]
        which = [Incident.team_id == team, Incident.channel_id == channel]
    source = select(Incident.id, *row).where(*which, Incident.closed_at.is_(None))
    stmt = _INSERTS[dialect](_TABLE).from_select(["incident_id", *COLUMNS], source)
    if kind == "post":
        return stmt.on_conflict_do_nothing(index_elements=_KEY)
    if kind == "edit":
        return stmt.on_conflict_do_update(
            index_elements=_KEY,
            set_={"text": stmt.excluded.text, "files": stmt.excluded.files, "edited_at": stmt.excluded.edited_at},
            where=and_(
                Message.deleted_at.is_(None),
                or_(Message.edited_at.is_(None), Message.edited_at < stmt.excluded.edited_at),
                Message.incident_id == stmt.excluded.incident_id,
            ),
        )
    return stmt.on_conflict_do_update(
        index_elements=_KEY,
        set_={"text": null(), "files": null(), "deleted_at": stmt.excluded.deleted_at},
        where=Message.deleted_at.is_(None),
    )


_INSERTS: dict[str, Callable[[Table], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}

_DELETE_ANYWHERE = (
    update(_TABLE)
    .where(
        _TABLE.c.team_id == bindparam("key_team_id"),
        _TABLE.c.channel_id == bindparam("key_channel_id"),
        _TABLE.c.ts == bindparam("key_ts"),
        _TABLE.c.deleted_at.is_(None),
    )
    .values(text=null(), files=null(), deleted_at=bindparam("deletion_at", type_=_TABLE.c.deleted_at.type))
)
"""After a deletion's upsert: the same deletion of a message a closed incident keeps."""


@dataclass(frozen=True)
class DriverStatement:
    """A statement compiled for one database, to run on its driver: the SQL, the name of the
    value each placeholder takes (in order, for positional placeholders), and the model's own
    conversion of each value (aware UTC datetimes, JSON)."""

    sql: str
    names: tuple[str, ...]
    convert: Mapping[str, Callable[[Any], Any]]

    def values(self, row: Mapping[str, Any]) -> list[Any]:
        """The row's values for positional placeholders (SQLite's ``?``)."""
        return [self.convert[name](row[name]) for name in self.names]

    def named_values(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The row's values for named placeholders (psycopg's ``%(name)s``)."""
        return {name: convert(row[name]) for name, convert in self.convert.items()}


@functools.lru_cache(maxsize=16)
def driver_upsert(dialect: Dialect, kind: str) -> DriverStatement:
    """The rule of ``kind`` into the channel's open incident, for the live writer."""
    return _for_driver(_upsert(dialect.name, kind, "channel"), dialect)


@functools.lru_cache(maxsize=4)
def driver_delete_anywhere(dialect: Dialect) -> DriverStatement:
    """The deletion of a message a closed incident keeps, for the live writer; its values are
    ``key_team_id``, ``key_channel_id``, ``key_ts`` and ``deletion_at``."""
    return _for_driver(_DELETE_ANYWHERE, dialect)


@functools.lru_cache(maxsize=16)
def conflict_clause(dialect: Dialect, kind: str) -> str:
    """The ``ON CONFLICT …`` clause of the rule of ``kind``: the part of the statement that
    decides, for a writer that brings its rows another way (many rows in one statement)."""
    sql = _for_driver(_upsert(dialect.name, kind, "channel"), dialect).sql
    clause = sql[sql.index(" ON CONFLICT ") + 1 :]
    if "?" in clause or "%" in clause:
        raise AssertionError(f"the conflict rule of {kind!r} takes no values: {clause}")
    return clause


def _for_driver(stmt: Any, dialect: Dialect) -> DriverStatement:
    compiled = stmt.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    convert: dict[str, Callable[[Any], Any]] = {}
    for name, param in compiled.binds.items():
        processor = param.type.dialect_impl(dialect).bind_processor(dialect)
        convert[name] = processor if processor is not None else _unchanged
    return DriverStatement(compiled.string, names, convert)


def _unchanged(value: Any) -> Any:
    return value


def upsert_rows(
    connection: Connection | Session, kind: str, rows: Sequence[Mapping[str, Any]], *, into: str = "incident"
) -> None:
    """Write rows (every column of ``COLUMNS``, and ``incident_id`` when ``into="incident"``)
    by the rule of ``kind``."""
    if not rows:
        return
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    connection.execute(_upsert(bind.dialect.name, kind, into), list(rows))
    if kind == "delete":
        keys = [
            {
                "key_team_id": r["team_id"],
                "key_channel_id": r["channel_id"],
                "key_ts": r["ts"],
                "deletion_at": r["deleted_at"],
            }
            for r in rows
        ]
        connection.execute(_DELETE_ANYWHERE, keys)


def save_post(
    session: Session, post: MessagePost, *, incident_id: int, team_id: str, channel_id: str, source: str = "live"
) -> None:
    """Store a message; an edit updates it if it is newer than what is stored and not deleted."""
    values = _values(post, incident_id=incident_id, team_id=team_id, channel_id=channel_id, source=source)
    upsert_rows(session, "post" if post.edited_at is None else "edit", [values])


def save_posts(
    session: Session, posts: list[MessagePost], *, incident_id: int, team_id: str, channel_id: str, source: str
) -> None:
    """Bulk form of save_post for posts that are not edits (backfill, import)."""
    rows = [_values(p, incident_id=incident_id, team_id=team_id, channel_id=channel_id, source=source) for p in posts]
    upsert_rows(session, "post", rows)


def save_deletion(
    session: Session, deletion: MessageDeletion, *, posted_at: datetime, incident_id: int, team_id: str, channel_id: str
) -> None:
    """Remove the text; leave a tombstone so a late redelivery of the post cannot restore it.
    A message a closed incident keeps loses its text too."""
    values = dict.fromkeys(COLUMNS) | {
        "incident_id": incident_id,
        "team_id": team_id,
        "channel_id": channel_id,
        "ts": deletion.ts,
        "posted_at": posted_at,
        "deleted_at": deletion.deleted_at,
        "source": "live",
    }
    upsert_rows(session, "delete", [values])


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
