"""Retention (SCRIBE_RETENTION_DAYS): message text older than N days is purged.

What goes: the text and file names of messages posted before ``now - N days``, and the content
of posts (drafts, DMs, reviews) delivered or given up before then. What stays:
incidents, phase markers (so every duration), notes and the other entries someone wrote on
purpose, action items, pins and 📌 marks, and each message's row (time, author, thread), so
the timeline keeps its shape. A deletion in Slack removes the text at once, whatever N is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage import retention as repo

BATCH = 1000
"""Rows per transaction, so a first purge of years of history never holds long locks."""


def retention_cutoff(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


def purge_expired_text(sessions: sessionmaker[Session], *, now: datetime, days: int | None, batch: int = BATCH) -> int:
    """Purge in batches, each its own transaction; returns how many messages lost their text.
    ``days`` None or below 1 means retention is off and nothing is touched."""
    if days is None or days < 1:
        return 0
    cutoff = retention_cutoff(now, days)
    return _in_batches(
        sessions, lambda session: repo.purge_message_text(session, posted_before=cutoff, limit=batch), batch
    )


def purge_expired_posts(sessions: sessionmaker[Session], *, now: datetime, days: int | None, batch: int = BATCH) -> int:
    """Empty the content of finished posts queued more than ``days`` ago; returns how many."""
    if days is None or days < 1:
        return 0
    cutoff = retention_cutoff(now, days)
    return _in_batches(
        sessions, lambda session: repo.purge_outbox_payloads(session, created_before=cutoff, limit=batch), batch
    )


def _in_batches(sessions: sessionmaker[Session], purge: Callable[[Session], int], batch: int) -> int:
    purged = 0
    while True:
        with sessions.begin() as session:
            done = purge(session)
        purged += done
        if done < batch:
            return purged
