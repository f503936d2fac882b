"""Timeline assembly: messages, markers and notes in one chronological record."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

from bot.core.record import TimelineEntry


def permalink(base_url: str | None, channel: str, ts: str | None, thread_ts: str | None = None) -> str | None:
    """Slack's permalink form: ``{workspace url}archives/{channel}/p{ts without the dot}``."""
    if not base_url or not ts:
        return None
    link = f"{base_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


def _order(entry: TimelineEntry) -> tuple[object, ...]:
    return (entry.at, entry.ts or "")


def merge_timeline(messages: Iterable[TimelineEntry], others: Iterable[TimelineEntry]) -> Iterator[TimelineEntry]:
    """Merge already-ordered messages with markers and notes; linear in the number of messages.

    At equal times a message comes before a marker typed about it.
    """
    return heapq.merge(messages, sorted(others, key=_order), key=_order)
