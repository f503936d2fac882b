"""Backfill: record what was said in a channel before ``/incident start``, without duplicates.

The pages come from a ``HistorySource`` (the Slack adapter implements it with
``conversations.history`` and ``conversations.replies``, rate limits included); this module only
walks the cursors and stores each page in its own short transaction, so live capture keeps
writing while a slow, rate-limited backfill runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.core.backfill import ReadBack, thread_parents, threads_active_since
from bot.core.message_changes import MessageChange
from bot.core.slackts import datetime_to_ts, ts_sort_key
from bot.services.bulk_capture import store_changes
from storage import incidents as repo

MAX_PAGES = 10_000
"""A guard against a source that never stops handing out cursors."""
OLD_THREAD_LOOKBACK = timedelta(days=7)
OLD_THREAD_PAGES = 5
"""How far before ``--since`` a thread may have started and still have its later replies read."""


@dataclass(frozen=True)
class Page:
    messages: list[ReadBack]
    next_cursor: str | None = None


class HistorySource(Protocol):
    def history(self, channel_id: str, *, oldest: str, cursor: str | None, latest: str | None = None) -> Page:
        """One page of the channel's messages posted at or after ``oldest`` (a Slack ts), and
        at or before ``latest`` when given."""
        ...

    def replies(self, channel_id: str, thread_ts: str, *, oldest: str, cursor: str | None) -> Page:
        """One page of a thread (its parent included) posted at or after ``oldest``."""
        ...


@dataclass(frozen=True)
class Backfilled:
    read: int
    """Messages read from Slack (thread parents count once per page they appear in)."""
    added: int
    """Messages that were new to the record."""
    calls: int


def backfill_channel(
    sessions: sessionmaker[Session], source: HistorySource, *, team_id: str, channel_id: str, oldest: datetime
) -> Backfilled:
    """Read the channel back to ``oldest`` and store what the record does not have yet.

    Never further back than when the channel's previous incident was closed: what was said
    before belongs to that incident (the bot's own draft and close posts among it)."""
    with sessions() as session:
        previous_end = repo.last_closed_at(session, team_id, channel_id)
    if previous_end is not None and previous_end > oldest:
        oldest = previous_end
    oldest_ts = datetime_to_ts(oldest)
    tally = _Tally()
    opened: set[str] = set()

    def store(messages: list[ReadBack]) -> None:
        tally.read += len(messages)
        tally.added += _store(sessions, team_id, channel_id, [m.change for m in messages])

    def open_thread(parent: str) -> None:
        """Store the thread's replies posted at or after ``oldest``, once per thread."""
        if parent in opened:
            return
        opened.add(parent)
        cursor: str | None = None
        while tally.calls < MAX_PAGES:
            page = source.replies(channel_id, parent, oldest=oldest_ts, cursor=cursor)
            tally.calls += 1
            store([m for m in page.messages if m.ts is not None and ts_sort_key(m.ts) >= ts_sort_key(oldest_ts)])
            cursor = page.next_cursor or None
            if cursor is None:
                return

    cursor: str | None = None
    while tally.calls < MAX_PAGES:
        page = source.history(channel_id, oldest=oldest_ts, cursor=cursor)
        tally.calls += 1
        store(page.messages)
        for parent in thread_parents(page.messages):
            open_thread(parent)
        cursor = page.next_cursor or None
        if cursor is None:
            break
    # Replies posted in the window to a thread that started before it: look further back for
    # thread parents whose latest reply falls in the window (their own text stays out).
    cursor = None
    for _ in range(OLD_THREAD_PAGES):
        page = source.history(
            channel_id, oldest=datetime_to_ts(oldest - OLD_THREAD_LOOKBACK), latest=oldest_ts, cursor=cursor
        )
        tally.calls += 1
        for parent in threads_active_since(page.messages, oldest_ts):
            open_thread(parent)
        cursor = page.next_cursor or None
        if cursor is None:
            break
    return Backfilled(read=tally.read, added=tally.added, calls=tally.calls)


@dataclass
class _Tally:
    read: int = 0
    added: int = 0
    calls: int = 0


def _store(sessions: sessionmaker[Session], team_id: str, channel_id: str, changes: list[MessageChange]) -> int:
    if not changes:
        return 0
    with sessions.begin() as session:
        incident_id = repo.incident_id_for_channel(session, team_id, channel_id)
        if incident_id is None:
            return 0
        return store_changes(
            session, changes, incident_id=incident_id, team_id=team_id, channel_id=channel_id, source="backfill"
        )
