"""The postmortem draft as plain values: everything a renderer lays out, already formatted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.blame import BlameFlag
from bot.core.durations import PhaseDurations
from bot.core.ticket_info import TicketInfo
from bot.core.transcript import TranscriptLine

SECTION_NAMES: tuple[str, ...] = (
    "Summary",
    "Timeline",
    "Impact",
    "Root cause",
    "Contributing factors",
    "What went well",
    "What went poorly",
    "Action items",
)


@dataclass(frozen=True)
class PhaseLine:
    phase: str
    at: datetime | None
    time: str | None
    """UTC, with the date when the incident spans days; None when not marked."""
    since_detection: str | None


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    time: str
    kind: str
    label: str | None
    """"DETECTED", "Note", …; None for plain key messages."""
    is_phase: bool
    text: str | None
    user: str | None
    bot: str | None
    permalink: str | None
    entry_id: str | None = None
    starred: bool = False
    """Starred as a key event by someone curating the timeline."""
    original_text: str | None = None
    """The recorded text, when ``text`` is a correction of it; None otherwise."""
    original_time: str | None = None
    """The recorded time (formatted as ``time``), when ``time`` is a correction; None otherwise."""
    corrected_by: tuple[str, ...] = ()
    """Who made the corrections in effect (user ids), text first; empty when not corrected."""

    @property
    def corrected(self) -> bool:
        return bool(self.corrected_by)


@dataclass(frozen=True)
class TextSection:
    name: str
    texts: tuple[str, ...]
    prompt: str | None
    """Guidance shown when nothing was recorded."""


@dataclass(frozen=True)
class ActionItemLine:
    id: int
    text: str
    owner: str | None
    due: str | None
    """YYYY-MM-DD."""
    done: bool
    overdue: bool
    rollovers: int
    problems: tuple[str, ...]
    """"no owner", "no due date": why the item keeps the draft from being final."""
    ticket: TicketInfo | None = None


@dataclass(frozen=True)
class SectionFlag:
    section: str
    flag: BlameFlag


@dataclass(frozen=True)
class Draft:
    channel: str
    title: str
    severity: str | None
    service: str | None
    status: str
    full: bool
    version: int | None
    generated: str
    """When the draft was built, "YYYY-MM-DD HH:MM" UTC."""
    summary: str
    with_dates: bool
    """True when the incident spans more than one UTC day: every time carries its date."""
    phases: tuple[PhaseLine, ...]
    durations: PhaseDurations
    timeline: tuple[TimelineLine, ...]
    impact: TextSection
    root_cause: TextSection
    contributing_factors: TextSection
    went_well: TextSection
    went_poorly: TextSection
    action_items: tuple[ActionItemLine, ...]
    final: bool
    not_final_reason: str | None
    blame_flags: tuple[SectionFlag, ...]
    mermaid: str | None
    """A Mermaid gantt chart of the phases; None when fewer than two can be drawn."""
    transcript: tuple[TranscriptLine, ...]
    phase_notes: tuple[str, ...] = ()
    """With linked alerts: where detection and acknowledgment come from (both sources when they
    differ) and the alerts' resolution as a suggestion. Slack mrkdwn (people as ``<@U…>``)."""
