"""Rules of a backfill: how far back ``/incident start`` reads, and which threads it opens."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.grammar import CommandError
from bot.core.message_changes import MessageChange
from bot.core.slackts import ts_sort_key

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


@dataclass(frozen=True)
class ReadBack:
    """A message read back from a channel's history, as the Slack adapter translated it."""

    ts: str | None
    """Its ts, or None when the message had no usable one."""
    change: MessageChange
    has_replies: bool = False
    """It is a thread parent whose replies are worth reading."""
    latest_reply: str | None = None
    """The ts of its thread's latest reply, when it is a thread parent."""


def thread_parents(messages: Iterable[ReadBack]) -> list[str]:
    """The ts of every message in a history page that has replies to read."""
    return [message.ts for message in messages if message.ts is not None and message.has_replies]


def threads_active_since(messages: Iterable[ReadBack], oldest_ts: str) -> list[str]:
    """The ts of every thread parent in a history page whose latest reply is at or after
    ``oldest_ts``: a thread that started earlier but went on inside the window."""
    return [
        message.ts
        for message in messages
        if message.ts is not None
        and message.latest_reply is not None
        and ts_sort_key(message.latest_reply) >= ts_sort_key(oldest_ts)
    ]
