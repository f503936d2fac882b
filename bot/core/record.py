"""The incident record as plain values: what the core reasons about.

Nothing here knows about Slack or the database. The services read storage and build these;
the core turns them into timelines, drafts and reports. Every datetime is aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.core.alert_events import AlertEvent, AlertSource
from bot.core.curation import EntryCuration
from bot.core.ticket_info import TicketInfo

PHASES: tuple[str, ...] = ("detected", "acknowledged", "mitigated", "resolved")
SEVERITIES: tuple[str, ...] = ("sev1", "sev2", "sev3", "sev4")


@dataclass(frozen=True)
class PhaseTimes:
    """When each phase was reached; None where it has not been marked."""

    detected: datetime | None = None
    acknowledged: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None

    def get(self, phase: str) -> datetime | None:
        at: datetime | None = getattr(self, phase)
        return at

    def as_dict(self) -> dict[str, datetime | None]:
        return {phase: getattr(self, phase) for phase in PHASES}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the chronological record.

    kind is a phase name, "note" or "message" (the JSON contract), and may be extended
    with the other entry kinds ("impact", "cause", "factor", "went_well", "went_poorly").
    """

    at: datetime
    kind: str
    text: str | None
    user: str | None = None
    """Slack user id of the author, or None for a bot post."""
    bot: str | None = None
    """Display name (or bot id) of the bot that posted, for alert-bot posts."""
    ts: str | None = None
    """The Slack message ts, kept as the original string; None for entries not from a message."""
    thread_ts: str | None = None
    """Set on thread replies (and broadcasts): the ts of the thread's parent."""
    edited_at: datetime | None = None
    deleted: bool = False
    key: bool = False
    """True for key events: phase markers, notes, pinned or 📌-reacted messages, alert-bot posts."""
    files: tuple[str, ...] = ()
    """File names (with links where known) shared in the message."""
    permalink: str | None = None
    entry_id: str | None = None
    """The entry's stable id (``msg:<ts>``, ``note:<id>``, ``phase:<name>``; bot/core/curation.py)."""


@dataclass(frozen=True)
class ActionItemView:
    id: int
    owner: str | None
    due: date | None
    text: str
    status: str  # "open" | "done" | "canceled"
    rollovers: int = 0
    ticket: TicketInfo | None = None


@dataclass(frozen=True)
class TypedMark:
    """A phase a person marked: when, and who."""

    at: datetime
    user: str | None


@dataclass(frozen=True)
class FromAlert:
    at: datetime
    source: AlertSource
    by: str | None
    link: str | None


@dataclass(frozen=True)
class PhaseSource:
    """Where one phase's time comes from, and the other source when there is one."""

    phase: str
    at: datetime | None
    """The time the incident uses: the mark, else the alert's (when it keeps the order), else None."""
    used: str | None
    """``"marked"``, ``"alert"`` or None."""
    marked: TypedMark | None
    alert: FromAlert | None
    alert_out_of_order: bool = False
    """The alert's time was not used because it would break the order against the marks."""

    @property
    def differ(self) -> bool:
        return self.marked is not None and self.alert is not None and self.marked.at != self.alert.at


@dataclass(frozen=True)
class AlertPhases:
    phases: PhaseTimes
    """What the incident uses: marks, with alert times filling what was not marked."""
    sources: tuple[PhaseSource, ...]
    """One per phase alerts can set (``detected``, ``acknowledged``) when either source has it."""
    alerts_resolved_at: datetime | None
    """When the last of the linked alerts resolved, if every one of them has: a suggestion only."""


@dataclass(frozen=True)
class StatusUpdateView:
    """A status update as the draft shows it (``/incident update``)."""

    at: datetime
    user: str | None
    text: str


@dataclass(frozen=True)
class IncidentRecord:
    """Everything the postmortem draft is made from."""

    channel: str
    title: str
    severity: str | None
    status: str  # "active" | "resolved"
    phases: PhaseTimes
    timeline: tuple[TimelineEntry, ...]
    """Chronological: messages, notes and phase markers, ordered by (at, ts)."""
    action_items: tuple[ActionItemView, ...] = ()
    service: str | None = None
    started_by: str | None = None
    started_at: datetime | None = None
    impact: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    went_well: tuple[str, ...] = ()
    went_poorly: tuple[str, ...] = ()
    surprised: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    alerts: tuple[AlertEvent, ...] = ()
    """The linked alert events, oldest first (their entries are in ``timeline`` as kind ``alert``)."""
    alert_phases: AlertPhases | None = None
    """Where detection and acknowledgment come from when alerts are linked; ``phases`` holds the result."""
    curation: Mapping[str, EntryCuration] = field(default_factory=dict)
    """Curated entries by entry id (stars, hides, corrections in effect); absent ones are as recorded."""
    roles: Mapping[str, str] = field(default_factory=dict)
    """role → user id of who holds it now; the starter is commander until someone else is."""
    updates: tuple[StatusUpdateView, ...] = ()
    """The status updates posted, oldest first."""
    update_target: timedelta | None = None
    """How often updates were owed for this severity (``SCRIBE_UPDATE_EVERY``); None: no target."""


@dataclass(frozen=True)
class ItemWithIncident:
    """An action item with what a reader needs of its incident (a list, a DM, a nudge)."""

    id: int
    team_id: str
    owner_id: str | None
    due: date | None
    text: str
    status: str
    rollovers: int
    created_at: datetime
    closed_at: datetime | None
    incident_id: int
    channel_id: str
    title: str
    service: str | None
    owner_tz: str | None = None
    ticket: TicketInfo | None = None
