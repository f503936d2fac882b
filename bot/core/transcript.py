"""The full message transcript of an incident, with threads kept together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.durations import format_instant
from bot.core.record import TimelineEntry


@dataclass(frozen=True)
class TranscriptLine:
    at: datetime
    time: str
    depth: int
    """0 for channel messages, 1 for replies shown under their thread's parent."""
    user: str | None
    bot: str | None
    text: str | None
    edited: str | None
    """When the message was last edited, formatted like `time`; None if never."""
    deleted: bool
    files: tuple[str, ...]
    permalink: str | None
    orphan_reply: bool
    """A thread reply whose parent was not recorded: shown in place, marked as a reply."""


def build_transcript(entries: tuple[TimelineEntry, ...], *, with_dates: bool) -> tuple[TranscriptLine, ...]:
    """Every message (and linked alert event) in order, each thread's replies right under their
    parent (linear time)."""
    messages = [entry for entry in entries if entry.kind in ("message", "alert")]
    parents = {entry.ts for entry in messages if entry.ts is not None and not _is_reply(entry)}
    replies: dict[str, list[TimelineEntry]] = {}
    top: list[TimelineEntry] = []
    for entry in messages:
        if _is_reply(entry) and entry.thread_ts in parents:
            replies.setdefault(entry.thread_ts, []).append(entry)
        else:
            top.append(entry)
    lines: list[TranscriptLine] = []
    for entry in top:
        lines.append(_line(entry, depth=0, with_dates=with_dates))
        if entry.ts is not None and not _is_reply(entry):
            for reply in replies.pop(entry.ts, ()):
                lines.append(_line(reply, depth=1, with_dates=with_dates))
    return tuple(lines)


def _is_reply(entry: TimelineEntry) -> bool:
    return entry.thread_ts is not None and entry.thread_ts != entry.ts


def _line(entry: TimelineEntry, *, depth: int, with_dates: bool) -> TranscriptLine:
    return TranscriptLine(
        at=entry.at,
        time=format_instant(entry.at, with_date=with_dates),
        depth=depth,
        user=entry.user,
        bot=entry.bot,
        text=None if entry.deleted else entry.text,
        edited=None if entry.edited_at is None else format_instant(entry.edited_at, with_date=with_dates),
        deleted=entry.deleted,
        files=entry.files,
        permalink=entry.permalink,
        orphan_reply=depth == 0 and _is_reply(entry),
    )
