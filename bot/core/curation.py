"""Timeline curation as pure rules: how an entry is named, and what its changes add up to.

An *entry* is one line of an incident's record, named by a stable id that the draft (JSON
``entry``), the web pages and Slack all use:

- ``msg:<ts>``: a recorded Slack message of the incident's channel, by its ``ts`` exactly as
  Slack wrote it (``msg:1700000000.123456``). Unique within the channel, and so within the
  incident; a Slack permalink to the message names the same entry.
- ``note:<id>``: a note (``/incident note``), by the id of its entry row.
- ``phase:<name>``: a phase marker (``phase:detected``). Named, so every line has an id, but not
  curated here: marking the phase again corrects it, and the earlier marker stays in the history.

Curating writes to an append-only change log and never touches the record itself: the message
as Slack captured it, the note as typed, stay as they were. A change is one of

- ``star`` / ``unstar``: the entry is a key event of the draft's timeline (or no longer one);
- ``hide`` / ``unhide``: the entry is left out of the draft's timeline (or back in);
- ``text``: the entry's text is corrected (the original is kept);
- ``time``: the entry's time is corrected (the original is kept);
- ``undo``: takes back one earlier change of the same entry.

The curation of an entry is its log replayed in order, using only the changes *in effect*. A
change is in effect unless an undo that is itself in effect names it, so undoing an undo puts
the change back. Every change records who made it and when.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

PHASE_NAMES: tuple[str, ...] = ("detected", "acknowledged", "mitigated", "resolved")
MAX_CORRECTED_TEXT = 4000
"""Characters a corrected text may have: Slack's own limit for a message is 4,000 for most uses."""


class CurationError(ValueError):
    """A curation that cannot be done; the message says why to the person who asked."""


class EntryKind(StrEnum):
    MESSAGE = "msg"
    NOTE = "note"
    PHASE = "phase"


class ChangeAction(StrEnum):
    STAR = "star"
    UNSTAR = "unstar"
    HIDE = "hide"
    UNHIDE = "unhide"
    TEXT = "text"
    TIME = "time"
    UNDO = "undo"


@dataclass(frozen=True)
class EntryRef:
    """A parsed entry id: its kind and its key within the incident (a ts, a row id, a phase)."""

    kind: EntryKind
    key: str

    @property
    def entry_id(self) -> str:
        return f"{self.kind.value}:{self.key}"


def message_entry_id(ts: str) -> str:
    return f"{EntryKind.MESSAGE.value}:{ts}"


def note_entry_id(note_id: int) -> str:
    return f"{EntryKind.NOTE.value}:{note_id}"


def phase_entry_id(phase: str) -> str:
    return f"{EntryKind.PHASE.value}:{phase}"


_TS = re.compile(r"\d{9,11}\.\d{1,6}")
_PERMALINK = re.compile(r"https?://[^/\s]+/archives/([A-Z0-9]+)/p(\d{9,11})(\d{6})(?:[?#]\S*)?")
_ID = re.compile(r"(msg|note|phase):(\S+)")


def parse_entry_ref(text: str, *, channel_id: str) -> EntryRef:
    """Read how a person names an entry: an entry id (``msg:TS``, ``note:ID``, ``phase:NAME``),
    a bare message ts, or the Slack permalink of a message of the incident's channel (Slack's
    *Copy link*, also as ``<https://…>`` or ``<https://…|label>`` the way a slash command
    carries it). Raises :class:`CurationError` saying what is accepted."""
    word = text.strip()
    if word.startswith("<") and word.endswith(">"):
        word = word[1:-1].split("|", 1)[0]
    if not word:
        raise CurationError(_HOW_TO_NAME)
    link = _PERMALINK.fullmatch(word)
    if link is not None:
        channel, seconds, micros = link.groups()
        if channel != channel_id:
            raise CurationError(
                f"That link is to a message in another channel ({channel}); name a message of this incident's channel."
            )
        return EntryRef(EntryKind.MESSAGE, f"{seconds}.{micros}")
    if _TS.fullmatch(word):
        return EntryRef(EntryKind.MESSAGE, word)
    named = _ID.fullmatch(word)
    if named is not None:
        kind, key = EntryKind(named.group(1)), named.group(2)
        if kind is EntryKind.MESSAGE and _TS.fullmatch(key):
            return EntryRef(kind, key)
        if kind is EntryKind.NOTE and key.isdigit() and int(key) > 0:
            return EntryRef(kind, str(int(key)))
        if kind is EntryKind.PHASE and key.lower() in PHASE_NAMES:
            return EntryRef(kind, key.lower())
    raise CurationError(f"I couldn't tell which entry “{word[:80]}” is. {_HOW_TO_NAME}")


_HOW_TO_NAME = (
    "Name an entry by its Slack link (Copy link on the message), by its ts (`1700000000.123456`) "
    "or by its entry id as the draft's JSON and the incident's page show it (`msg:…`, `note:12`)."
)


@dataclass(frozen=True)
class Change:
    """One row of the change log, as a plain value."""

    id: int
    entry_id: str
    action: ChangeAction
    user_id: str
    made_at: datetime
    """When the change was made (aware UTC)."""
    text: str | None = None
    """The corrected text (``text`` changes)."""
    time: datetime | None = None
    """The corrected time (``time`` changes), aware UTC."""
    undoes: int | None = None
    """The id of the change an ``undo`` takes back."""
    in_effect: bool = True
    """False once an undo in effect takes it back."""


@dataclass(frozen=True)
class EntryCuration:
    """What the changes in effect make of one entry; the default is an entry nobody curated."""

    entry_id: str
    starred: bool = False
    hidden: bool = False
    text: str | None = None
    """The corrected text, or None when the text was not corrected."""
    time: datetime | None = None
    """The corrected time, or None when the time was not corrected."""
    text_by: str | None = None
    """Who made the text correction in effect."""
    time_by: str | None = None
    """Who made the time correction in effect."""
    changes: tuple[Change, ...] = ()
    """Every change of the entry, in the order made, undone ones included (``in_effect``)."""

    @property
    def corrected(self) -> bool:
        return self.text is not None or self.time is not None

    @property
    def curated(self) -> bool:
        """True when anything in effect changes how the entry shows."""
        return self.starred or self.hidden or self.corrected


def in_effect(changes: Iterable[Change]) -> set[int]:
    """The ids of the changes in effect: newest first, an undo in effect cancels its target."""
    ordered = sorted(changes, key=lambda change: change.id, reverse=True)
    cancelled: set[int] = set()
    effective: set[int] = set()
    for change in ordered:
        if change.id in cancelled:
            continue
        effective.add(change.id)
        if change.action is ChangeAction.UNDO and change.undoes is not None:
            cancelled.add(change.undoes)
    return effective


def curate(changes: Iterable[Change]) -> dict[str, EntryCuration]:
    """Replay the change log into each entry's curation (entries with no change are absent)."""
    listed = sorted(changes, key=lambda change: change.id)
    effective = in_effect(listed)
    result: dict[str, EntryCuration] = {}
    for change in listed:
        marked = replace(change, in_effect=change.id in effective)
        current = result.get(change.entry_id, EntryCuration(change.entry_id))
        current = replace(current, changes=(*current.changes, marked))
        if marked.in_effect:
            current = _apply(current, marked)
        result[change.entry_id] = current
    return result


def _apply(current: EntryCuration, change: Change) -> EntryCuration:
    match change.action:
        case ChangeAction.STAR:
            return replace(current, starred=True)
        case ChangeAction.UNSTAR:
            return replace(current, starred=False)
        case ChangeAction.HIDE:
            return replace(current, hidden=True)
        case ChangeAction.UNHIDE:
            return replace(current, hidden=False)
        case ChangeAction.TEXT:
            return replace(current, text=change.text, text_by=change.user_id)
        case ChangeAction.TIME:
            return replace(current, time=change.time, time_by=change.user_id)
    return current


def changes_anything(
    current: EntryCuration, action: ChangeAction, *, text: str | None = None, time: datetime | None = None
) -> bool:
    """Whether a new change would alter the entry: starring a starred entry, hiding a hidden one
    or correcting to the text (time) in effect is nothing, and is not logged."""
    match action:
        case ChangeAction.STAR:
            return not current.starred
        case ChangeAction.UNSTAR:
            return current.starred
        case ChangeAction.HIDE:
            return not current.hidden
        case ChangeAction.UNHIDE:
            return current.hidden
        case ChangeAction.TEXT:
            return text != current.text
        case ChangeAction.TIME:
            return time != current.time
    return True


def check_text(text: str) -> str:
    """A corrected text: trimmed, not empty, within :data:`MAX_CORRECTED_TEXT`."""
    cleaned = text.strip()
    if not cleaned:
        raise CurationError("A corrected text cannot be empty; hide the entry instead if it should not show.")
    if len(cleaned) > MAX_CORRECTED_TEXT:
        raise CurationError(
            f"A corrected text can be at most {MAX_CORRECTED_TEXT:,} characters; this one has {len(cleaned):,}."
        )
    return cleaned


def check_time(time: datetime, *, now: datetime) -> datetime:
    """A corrected time: aware, and not in the future (nothing recorded happened after ``now``)."""
    if time.tzinfo is None or time.utcoffset() is None:
        raise ValueError("a corrected time must be an aware datetime")
    if time > now:
        raise CurationError("A corrected time cannot be in the future.")
    return time


def undoable(target: Change | None, *, entry_id: str | None = None) -> Change:
    """The change an undo may take back: one that exists (for this entry, when given)."""
    if target is None or (entry_id is not None and target.entry_id != entry_id):
        raise CurationError("There is no such change in this incident's change log.")
    return target


def curation_of(curations: Mapping[str, EntryCuration], entry_id: str) -> EntryCuration:
    """The entry's curation, or the empty one when nobody curated it."""
    return curations.get(entry_id) or EntryCuration(entry_id)
