"""Backfill: record what was said in a channel before ``/incident start``, without duplicates.

The pages come from a ``HistorySource`` (the Slack adapter implements it with
``conversations.history`` and ``conversations.replies``, rate limits included); this module only
walks the cursors and stores each page in its own short transaction, so live capture keeps
writing while a slow, rate-limited backfill runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.core.backfill import thread_parents
from bot.core.messages import MessageChange
from bot.core.slack_messages import parse_stored_message
from bot.core.slackts import datetime_to_ts
from bot.services.stored_messages import store_changes
from storage import incidents as repo

MAX_PAGES = 10_000
"""A guard against a source that never stops handing out cursors."""


@dataclass(frozen=True)
class Page:
    messages: list[dict[str, Any]]
    next_cursor: str | None = None


class HistorySource(Protocol):
    def history(self, channel_id: str, *, oldest: str, cursor: str | None) -> Page:
        """One page of the channel's messages posted at or after ``oldest`` (a Slack ts)."""
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
    """Read the channel back to ``oldest`` and store what the record does not have yet."""
    oldest_ts = datetime_to_ts(oldest)
    read = added = calls = 0
    cursor: str | None = None
    while calls < MAX_PAGES:
        page = source.history(channel_id, oldest=oldest_ts, cursor=cursor)
        calls += 1
        read += len(page.messages)
        added += _store(sessions, team_id, channel_id, [parse_stored_message(m) for m in page.messages])
        for parent in thread_parents(page.messages):
            thread_read, thread_added, thread_calls = _backfill_thread(
                sessions, source, team_id=team_id, channel_id=channel_id, parent=parent, oldest_ts=oldest_ts
            )
            read, added, calls = read + thread_read, added + thread_added, calls + thread_calls
        cursor = page.next_cursor or None
        if cursor is None:
            break
    return Backfilled(read=read, added=added, calls=calls)


def _backfill_thread(
    sessions: sessionmaker[Session], source: HistorySource, *, team_id: str, channel_id: str, parent: str, oldest_ts: str
) -> tuple[int, int, int]:
    read = added = calls = 0
    cursor: str | None = None
    while calls < MAX_PAGES:
        page = source.replies(channel_id, parent, oldest=oldest_ts, cursor=cursor)
        calls += 1
        read += len(page.messages)
        added += _store(sessions, team_id, channel_id, [parse_stored_message(m) for m in page.messages])
        cursor = page.next_cursor or None
        if cursor is None:
            break
    return read, added, calls


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
