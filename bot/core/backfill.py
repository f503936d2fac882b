"""Rules of a backfill: how far back ``/incident start`` reads, and which threads it opens."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.core.grammar import CommandError
from bot.core.slackts import is_ts, ts_sort_key

DEFAULT_LOOKBACK = timedelta(hours=24)
_SINCE = re.compile(r"(?:^|\s)--since(?:\s+(?P<words>.*))?$", re.IGNORECASE | re.DOTALL)


def split_since(args: str) -> tuple[str, str | None]:
    """``"sev2 DB down --since 13:50"`` → (``"sev2 DB down"``, ``"13:50"``); without it, (args, None)."""
    match = _SINCE.search(args)
    if match is None:
        return args, None
    words = (match.group("words") or "").strip()
    if not words:
        raise CommandError(
            "`--since` needs a time, for example `--since 13:50`, `--since 2h ago` or `--since yesterday 23:10`."
        )
    return args[: match.start()].strip(), words


def backfill_oldest(now: datetime, since: datetime | None) -> datetime:
    """The oldest moment a backfill reads: ``since`` when given, else 24 hours before ``now``."""
    return since if since is not None else now - DEFAULT_LOOKBACK


def thread_parents(messages: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ts of every message in a history page that has replies to read."""
    parents = []
    for message in messages:
        ts = message.get("ts")
        has_replies = bool(message.get("reply_count")) or (
            message.get("thread_ts") == ts and message.get("latest_reply")
        )
        if is_ts(ts) and has_replies:
            parents.append(str(ts))
    return parents


def threads_active_since(messages: Iterable[Mapping[str, Any]], oldest_ts: str) -> list[str]:
    """The ts of every thread parent in a history page whose latest reply is at or after
    ``oldest_ts``: a thread that started earlier but went on inside the window."""
    active = []
    for message in messages:
        ts, latest = message.get("ts"), message.get("latest_reply")
        if is_ts(ts) and is_ts(latest) and ts_sort_key(str(latest)) >= ts_sort_key(oldest_ts):
            active.append(str(ts))
    return active
