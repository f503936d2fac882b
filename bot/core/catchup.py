"""A catch-up for someone joining an incident midway: what the record says, cut to what can be
read in ten seconds (no language model; every line comes from the record)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.core.roles import Holder

MAX_EVENTS = 5
MAX_ITEMS = 5
MAX_ALERTS = 3
LINE_CHARS = 200
"""A line of someone's text is cut here: a catch-up is a glance, the record has the rest."""


@dataclass(frozen=True)
class KeyEvent:
    at: datetime
    kind: str
    """A phase name, ``note``, ``impact``, ``cause``, ``factor``…"""
    text: str
    user: str | None


@dataclass(frozen=True)
class LastUpdate:
    at: datetime
    user: str | None
    text: str


@dataclass(frozen=True)
class OpenItem:
    id: int
    owner: str | None
    due: date | None
    text: str


@dataclass(frozen=True)
class Catchup:
    incident_id: int
    channel_id: str
    title: str
    severity: str | None
    status: str
    started_at: datetime
    phases: dict[str, datetime | None]
    holders: list[Holder]
    last_update: LastUpdate | None
    events: list[KeyEvent]
    """The key events since the last update (since the start without one), latest last."""
    earlier_events: int
    """How many more key events there were since then than are shown."""
    alerts: list[str]
    more_alerts: int
    open_items: list[OpenItem]
    more_items: int
    names: dict[str, str] = field(default_factory=dict)
    """Known names (user id → name) of the people named who hold no role: shown, never mentioned."""


def cut(text: str, limit: int = LINE_CHARS) -> str:
    """One line of at most ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def key_events_since(events: Iterable[KeyEvent], since: datetime | None) -> tuple[list[KeyEvent], int]:
    """The last ``MAX_EVENTS`` events after ``since`` (all, when None), oldest first, and how
    many earlier ones were left out."""
    after = sorted((e for e in events if since is None or e.at > since), key=lambda e: e.at)
    shown = after[-MAX_EVENTS:]
    return shown, len(after) - len(shown)


def first(values: Sequence[str], limit: int) -> tuple[list[str], int]:
    return list(values[:limit]), max(0, len(values) - limit)
