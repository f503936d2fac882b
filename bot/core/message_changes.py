"""What a Slack message event means for the record, as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SharedFile:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class MessagePost:
    """A message as it now stands. ``edited_at`` is set when this state comes from an edit."""

    ts: str
    posted_at: datetime
    text: str | None
    user: str | None = None
    bot_id: str | None = None
    bot_name: str | None = None
    subtype: str | None = None
    thread_ts: str | None = None
    files: tuple[SharedFile, ...] = ()
    edited_at: datetime | None = None


@dataclass(frozen=True)
class MessageDeletion:
    ts: str
    deleted_at: datetime


@dataclass(frozen=True)
class NotRecorded:
    """An event that is not timeline material (joins, topic changes…): acknowledged, not stored."""

    reason: str = field(default="")


MessageChange = MessagePost | MessageDeletion | NotRecorded
