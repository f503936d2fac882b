"""Status updates and their cadence: what an update says, how often one is owed
(``SCRIBE_UPDATE_EVERY``), when the commander is reminded, and how well the cadence was kept."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from bot.core.durations import format_duration
from bot.core.grammar import CommandError, check_text
from bot.core.record import SEVERITIES, IncidentRecord

DEFAULT_UPDATE_EVERY = "sev1=30m,sev2=60m"
SNOOZE_FOR = timedelta(minutes=30)
MAX_FIELD_CHARS = 2000
_SPAN = re.compile(r"(\d{1,4})\s*(m|min|h)?", re.IGNORECASE)


@dataclass(frozen=True)
class UpdateFields:
    status: str
    impact: str | None = None
    next_steps: str | None = None
    next_update_minutes: int | None = None

    def as_text(self) -> str:
        """One plain text for the timeline and the draft: the status, then what the form added."""
        parts = [self.status]
        if self.impact:
            parts.append(f"Impact: {self.impact}")
        if self.next_steps:
            parts.append(f"Next steps: {self.next_steps}")
        if self.next_update_minutes:
            parts.append(f"Next update in {format_minutes(self.next_update_minutes)}")
        return " — ".join(parts)


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    return f"{hours}h" if hours else f"{rest}m"


def parse_span(text: str, *, name: str) -> timedelta:
    """``30m``, ``45`` (minutes), ``1h``; refused (ValueError naming ``name``) otherwise."""
    match = _SPAN.fullmatch(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"{name}: {text.strip()[:40]!r} is not a span of time such as 30m or 1h.")
    amount = int(match.group(1))
    return timedelta(hours=amount) if (match.group(2) or "m").lower() == "h" else timedelta(minutes=amount)


def parse_update_every(raw: str | None) -> dict[str, timedelta]:
    """``sev1=30m,sev2=60m`` → {"sev1": 30 min, "sev2": 60 min}; empty or ``off``: no reminders.
    A malformed value raises ValueError with one line saying what is expected."""
    if raw is None:
        raw = DEFAULT_UPDATE_EVERY
    value = raw.strip()
    if not value or value.lower() == "off":
        return {}
    every: dict[str, timedelta] = {}
    for pair in value.split(","):
        severity, equals, span = (part.strip() for part in pair.partition("="))
        severity = severity.lower()
        if not equals or severity not in SEVERITIES:
            raise ValueError(
                f"SCRIBE_UPDATE_EVERY must be severity=span pairs such as sev1=30m,sev2=60m, not {pair.strip()[:40]!r}."
            )
        if severity in every:
            raise ValueError(f"SCRIBE_UPDATE_EVERY names {severity} twice.")
        every[severity] = parse_span(span, name="SCRIBE_UPDATE_EVERY")
    return every


def parse_next_update(text: str | None) -> int | None:
    """The form's "Next update in" (``30m``, ``1h``, ``45``) in minutes; refused with a clear message."""
    if text is None or not text.strip():
        return None
    try:
        span = parse_span(text, name="Next update in")
    except ValueError:
        raise CommandError("“Next update in” takes a span such as 30m, 45 or 1h.") from None
    if span > timedelta(days=1):
        raise CommandError("“Next update in” is at most a day (24h).")
    return int(span.total_seconds() // 60)


def check_field(text: str | None, *, what: str) -> str | None:
    """A form field, stripped, within the length limit; None when empty."""
    value = check_text(text or "", what=what, limit=MAX_FIELD_CHARS).strip()
    return value or None


@dataclass(frozen=True)
class ReminderDue:
    anchor: datetime
    """The last update (or the start, before any update): the interval counts from it."""
    interval: int
    """Which interval since the anchor has passed (1 for the first): one reminder each."""

    @property
    def key(self) -> str:
        return f"{self.anchor:%Y%m%dT%H%M%S}:{self.interval}"


def reminder_due(
    now: datetime,
    *,
    every: timedelta | None,
    started_at: datetime,
    last_update_at: datetime | None,
    snoozed_until: datetime | None,
) -> ReminderDue | None:
    """The reminder owed at ``now``: none for a severity without a cadence, while snoozed, or
    before ``every`` has passed since the last update (or the start)."""
    if every is None or every <= timedelta(0):
        return None
    if snoozed_until is not None and now < snoozed_until:
        return None
    anchor = last_update_at if last_update_at is not None else started_at
    interval = int((now - anchor) / every)
    if interval < 1:
        return None
    return ReminderDue(anchor, interval)


@dataclass(frozen=True)
class Cadence:
    updates: int
    target: timedelta | None
    longest_gap: timedelta | None
    """The longest stretch without an update: from the start to the first, between updates,
    and from the last to the resolution (or ``until``)."""
    median_gap: timedelta | None

    @property
    def kept(self) -> bool | None:
        if self.target is None or self.longest_gap is None:
            return None
        return self.longest_gap <= self.target


def cadence(
    update_times: Sequence[datetime], *, started_at: datetime, until: datetime | None, target: timedelta | None
) -> Cadence:
    """How often updates came, measured from the start to ``until`` (the resolution)."""
    times = sorted(update_times)
    edges = [started_at, *times]
    if until is not None and (not times or until > times[-1]):
        edges.append(until)
    gaps = [later - earlier for earlier, later in itertools.pairwise(edges) if later >= earlier]
    if not gaps:
        return Cadence(len(times), target, None, None)
    return Cadence(len(times), target, max(gaps), timedelta(seconds=median(g.total_seconds() for g in gaps)))


def target_for(every: Mapping[str, timedelta], severity: str | None) -> timedelta | None:
    return every.get(severity or "")


@dataclass(frozen=True)
class CadenceGroup:
    """How one severity's incidents kept their update cadence: over each incident's longest
    stretch without an update, the median and the worst, against the severity's target."""

    severity: str
    incidents: int
    median_gap: timedelta | None
    worst_gap: timedelta | None
    target: timedelta | None
    kept: int
    """Incidents whose longest stretch stayed within the target."""


def cadence_by_severity(
    measured: Iterable[tuple[str | None, Cadence]], *, every: Mapping[str, timedelta]
) -> list[CadenceGroup]:
    """One group per severity (``none`` for unset), in severity order."""
    gaps: dict[str, list[Cadence]] = {}
    for severity, one in measured:
        gaps.setdefault(severity or "none", []).append(one)
    groups = []
    for severity in sorted(gaps, key=lambda s: (s == "none", s)):
        ones = gaps[severity]
        longest = [c.longest_gap for c in ones if c.longest_gap is not None]
        groups.append(
            CadenceGroup(
                severity,
                len(ones),
                timedelta(seconds=median(g.total_seconds() for g in longest)) if longest else None,
                max(longest) if longest else None,
                every.get(severity),
                sum(1 for c in ones if c.kept),
            )
        )
    return groups


def cadence_sentence(record: IncidentRecord, *, now: datetime) -> tuple[bool, str | None]:
    """How well status updates kept their cadence, for "What went well" (kept: True) or
    "What went poorly"; None when there is nothing to say (no updates and no target)."""
    started = record.started_at
    if started is None or (not record.updates and record.update_target is None):
        return True, None
    until = record.phases.resolved or now
    measured = cadence([u.at for u in record.updates], started_at=started, until=until, target=record.update_target)
    count = measured.updates
    posted = f"{count} status update{'s' if count != 1 else ''} posted" if count else "No status update posted"
    if measured.longest_gap is None:
        return True, f"{posted}."
    gap = format_duration(measured.longest_gap)
    if record.update_target is None:
        return True, f"{posted}; the longest stretch without one was {gap} (no update target for this severity)."
    target = record.update_target
    kept = measured.longest_gap <= target if count else measured.longest_gap < target
    return kept, f"{posted}; the longest stretch without one was {gap}, against a target of {format_duration(target)}."
