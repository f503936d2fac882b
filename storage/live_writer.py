"""The ingest hot path: live message events written through the database driver, in batches.

A batch comes from the group commit (storage/group_commit.py): the message events that arrived
at the same moment in one web process. It is written with as few round trips as each database
allows:

- PostgreSQL: one ``INSERT … SELECT … FROM (VALUES …) JOIN incidents … ON CONFLICT``
  statement per kind of change, prepared once per connection for each batch size and run in
  autocommit (a single statement is its own transaction, so there is no BEGIN or COMMIT round
  trip); parameters are plain values, which the driver converts in C;
- SQLite: one ``executemany`` of the single-row statement inside one ``BEGIN IMMEDIATE``.

Both check in the same statement that the channel has an open incident in the workspace: a row
for any other channel, or for a channel whose incident is closed, matches no incident and is not
written.

The rules are not written here: each conflict rule, SQLite's single-row statement and the
deletion of a message a closed incident keeps are storage/message_store.py's Core statements,
compiled once for the database (``driver_upsert``, ``conflict_clause``). What is written here
is only how a batch travels: PostgreSQL's many-row ``VALUES`` form, and the driver connection.

Why the driver rather than running those statements through SQLAlchemy as everywhere else:
it costs less per message, and this is the one path that runs for every message of every
incident channel. Measured with bench/ingest against the same batches written through Core
(``engine.begin()`` + ``execute``), the web workers spent 250 to 450 µs more CPU per event
and the throughput ratio fell (see the README's Benchmarks). The column types still come from
the model, so values are stored exactly as the ORM stores them.

Every write is idempotent and independent of the order of the others: the unique key
(team_id, channel_id, ts) decides, a post never overwrites, an edit wins only over an older
edit of a message of the same (open) incident, a deletion wins over everything and is never
undone. A deletion also reaches a message of a closed incident (deleted means gone, whatever
the incident's state); nothing else changes a closed incident's record. So a batch need not be
atomic: after any failure each of its writes can simply be written again.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect

from bot.core.message_changes import MessageDeletion, MessagePost
from bot.core.slackts import ts_to_datetime
from storage.group_commit import GroupCommit
from storage.message_store import COLUMNS, conflict_clause, driver_delete_anywhere, driver_upsert
from storage.models import Message

_TIMES = ("posted_at", "edited_at", "deleted_at")
STATEMENT_TIMEOUT_MS = 5000
SQLITE_LOCK_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class LiveRow:
    """One message event as a row to upsert: ``kind`` picks the conflict rule."""

    kind: str  # "post", "edit" or "delete"
    team_id: str
    channel_id: str
    ts: str
    thread_ts: str | None
    user_id: str | None
    bot_id: str | None
    bot_name: str | None
    subtype: str | None
    text: str | None
    files: list[dict[str, Any]] | None
    posted_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    source: str = "live"


def live_row(change: MessagePost | MessageDeletion, *, team_id: str, channel_id: str) -> LiveRow:
    if isinstance(change, MessageDeletion):
        return LiveRow(
            "delete",
            team_id,
            channel_id,
            change.ts,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            ts_to_datetime(change.ts),
            None,
            change.deleted_at,
        )
    files = [{"name": f.name, "url": f.url} for f in change.files] or None
    return LiveRow(
        "post" if change.edited_at is None else "edit",
        team_id,
        channel_id,
        change.ts,
        change.thread_ts,
        change.user,
        change.bot_id,
        change.bot_name,
        change.subtype,
        change.text,
        files,
        change.posted_at,
        change.edited_at,
        None,
    )


class LiveMessageWriter:
    """Writes batches of LiveRow on a driver (DBAPI) connection of one database kind."""

    def __init__(self, dialect: Dialect) -> None:
        if dialect.name not in ("postgresql", "sqlite"):
            raise NotImplementedError(f"unsupported database: {dialect.name}")
        self.dialect = dialect
        self._time = _bind_processor(dialect, "posted_at")

    def configure(self, connection: Any) -> None:
        """Called once for each new connection the group commit opens for this writer."""
        if self.dialect.name == "postgresql":
            connection.autocommit = True
            # Slack gives up on an answer after 3 s and redelivers: a write stuck longer than
            # this (a lock, an overloaded server) fails, and is answered 5xx, instead of
            # holding every write of the process behind it.
            connection.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
        else:
            connection.isolation_level = None  # transactions are begun explicitly below
            # SQLite's own busy handler sleeps at least a millisecond when another process
            # holds the write lock, for a write that takes a tenth of that: this writer waits
            # for the lock itself, in short steps (see _begin_immediate).
            connection.execute("PRAGMA busy_timeout = 0")

    def write(self, connection: Any, rows: Sequence[LiveRow]) -> None:
        if self.dialect.name == "postgresql":
            self._write_postgresql(connection, rows)
        else:
            self._write_sqlite(connection, rows)

    def _values(self, row: LiveRow) -> list[Any]:
        values = [getattr(row, name) for name in COLUMNS]
        for index in _TIME_INDEXES:
            values[index] = self._time(values[index])
        if values[_FILES_INDEX] is not None:
            values[_FILES_INDEX] = json.dumps(values[_FILES_INDEX])
        return values

    def _write_postgresql(self, connection: Any, rows: Sequence[LiveRow]) -> None:
        for kind, group in _by_kind(rows).items():
            # An update may touch a row once per statement: a second change of the same message
            # in this batch goes in a later statement (the conflict rules make the order moot).
            for part in _with_unique_keys(group) if kind != "post" else [group]:
                values = [value for row in part for value in self._values(row)]
                sql = _postgresql(conflict_clause(self.dialect, kind), len(part))
                connection.execute(sql, values, prepare=True)
            if kind == "delete":
                anywhere = driver_delete_anywhere(self.dialect)
                with connection.cursor() as cursor:
                    cursor.executemany(anywhere.sql, [anywhere.named_values(_deleted_key(row)) for row in group])

    def _write_sqlite(self, connection: Any, rows: Sequence[LiveRow]) -> None:
        _begin_immediate(connection)
        try:
            for kind, group in _by_kind(rows).items():
                upsert = driver_upsert(self.dialect, kind)
                connection.executemany(upsert.sql, [upsert.values(_columns(row)) for row in group])
                if kind == "delete":
                    anywhere = driver_delete_anywhere(self.dialect)
                    connection.executemany(anywhere.sql, [anywhere.values(_deleted_key(row)) for row in group])
        except BaseException:
            with contextlib.suppress(Exception):  # the connection is dropped after any failure anyway
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock, waiting up to SQLITE_LOCK_WAIT_SECONDS in steps that start at
    50 µs and double up to 2 ms, while another process holds it."""
    deadline = time.monotonic() + SQLITE_LOCK_WAIT_SECONDS
    pause = 0.00005
    while True:
        try:
            connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.002)


_TIME_INDEXES = tuple(COLUMNS.index(name) for name in _TIMES)
_FILES_INDEX = COLUMNS.index("files")


def _bind_processor(dialect: Dialect, column: str) -> Callable[[Any], Any]:
    """The model's own conversion for a column (aware UTC datetimes, naive ones refused), as the
    dialect's own type does it: on SQLite that ends in SQLAlchemy's text form of a time, never in
    the driver's default datetime adapter (deprecated since Python 3.12, and of another form)."""
    processor = Message.__table__.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else (lambda value: value)


def _columns(row: LiveRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in COLUMNS}


def _deleted_key(row: LiveRow) -> dict[str, Any]:
    return {
        "key_team_id": row.team_id,
        "key_channel_id": row.channel_id,
        "key_ts": row.ts,
        "deletion_at": row.deleted_at,
    }


def _by_kind(rows: Sequence[LiveRow]) -> dict[str, list[LiveRow]]:
    groups: dict[str, list[LiveRow]] = {}
    for row in rows:
        groups.setdefault(row.kind, []).append(row)
    return groups


def _with_unique_keys(rows: list[LiveRow]) -> list[list[LiveRow]]:
    parts: list[list[LiveRow]] = []
    seen: list[set[tuple[str, str, str]]] = []
    for row in rows:
        key = (row.team_id, row.channel_id, row.ts)
        for part, keys in zip(parts, seen, strict=True):
            if key not in keys:
                part.append(row)
                keys.add(key)
                break
        else:
            parts.append([row])
            seen.append({key})
    return parts


def _sql_type(column: str) -> str:
    if column in _TIMES:
        return "timestamptz"
    if column in ("text", "files"):
        return "text"
    return "varchar"


_INSERT = f"INSERT INTO messages (incident_id, {', '.join(COLUMNS)}) "

_ROW = "(" + ", ".join("%s::json" if name == "files" else f"%s::{_sql_type(name)}" for name in COLUMNS) + ")"


@functools.lru_cache(maxsize=256)
def _postgresql(conflict: str, rows: int) -> str:
    """The statement for ``rows`` rows under one conflict rule (from storage/message_store.py);
    each size is prepared once per connection."""
    return (
        _INSERT
        + f"SELECT incidents.id, v.* FROM (VALUES {', '.join([_ROW] * rows)}) AS v({', '.join(COLUMNS)}) "
        + "JOIN incidents ON incidents.team_id = v.team_id AND incidents.channel_id = v.channel_id "
        + "AND incidents.closed_at IS NULL "
        + conflict
    )


def live_message_commits(engine: Engine) -> GroupCommit[LiveRow]:
    """The group commit that every live message event of this process goes through."""
    return GroupCommit(engine, LiveMessageWriter(engine.dialect))
