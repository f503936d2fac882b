"""Follow-up numbers: the seed's signals of health, computed from plain item and incident values.

Used by the weekly review and by ``/incident stats``. Every datetime is aware UTC; day
arithmetic uses UTC dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.durations import measure_phases
from bot.core.record import PhaseTimes

DEFAULT_WINDOW = timedelta(days=28)


@dataclass(frozen=True)
class ReviewItem:
    item_id: int
    incident_title: str
    incident_channel: str
    service: str | None
    owner: str | None
    due: date | None
    status: str
    """"open", "done" or "canceled" (closed as not done in the tracker)."""
    rollovers: int
    created_at: datetime
    closed_at: datetime | None = None
    """When it was last marked done; None while open."""
    text: str = ""


@dataclass(frozen=True)
class ReviewIncident:
    channel: str
    title: str
    service: str | None
    severity: str | None
    detected: datetime | None
    acknowledged: datetime | None
    mitigated: datetime | None
    resolved: datetime | None
    root_cause_category: str | None
    action_item_count: int
    items_missing_owner_or_due: int


@dataclass(frozen=True)
class CloseRate:
    on_time: int
    considered: int

    @property
    def rate(self) -> float | None:
        """on_time / considered, or None when nothing was considered."""
        return self.on_time / self.considered if self.considered else None


@dataclass(frozen=True)
class PhaseMedians:
    """Median durations from detection over resolved incidents.

    A median is None when no incident had that phase marked (after detection).
    """

    acknowledge: timedelta | None
    mitigate: timedelta | None
    resolve: timedelta | None
    incident_count: int
    """Resolved incidents with a detection time: the population the medians are taken over."""


@dataclass(frozen=True)
class RepeatedCause:
    category: str
    incident_count: int


@dataclass(frozen=True)
class Health:
    close_rate: CloseRate
    repeated_causes: tuple[RepeatedCause, ...]
    medians: PhaseMedians
    open_rollovers: int
    """Rollovers summed over open items."""
    open_items_rolled_twice: int
    closed_not_done: int = 0
    """Items closed as not done (won't do, canceled, not planned in their tracker) in the window:
    counted apart, never as closed on time."""


def days_overdue(due: date | None, *, now: datetime) -> int:
    """Whole days past the due date by ``now``'s UTC date; 0 when not late or no due date."""
    if due is None:
        return 0
    return max(0, (now.date() - due).days)


def close_rate(items: Iterable[ReviewItem], *, now: datetime, window: timedelta = DEFAULT_WINDOW) -> CloseRate:
    """The share of items closed on or before their due date, over the last ``window``.

    An item counts when it has a due date and its outcome became known in the window, that
    is, within the ``window.days`` UTC dates ending with ``now``'s date:

    - a closed item counts if its close date is in the window; it is on time if that date is
      on or before its due date;
    - an open item counts, as late, once its due date has passed: if the day after its due
      date is in the window (so an item due today is not late yet).

    Items without a due date never count (the theater signals call them out instead), nor
    does an item marked done without a close time.
    """
    today = now.date()
    first = today - timedelta(days=window.days - 1)
    on_time = considered = 0
    for item in items:
        if item.due is None:
            continue
        if item.status == "canceled":
            continue
        if item.status == "open":
            if first <= item.due + timedelta(days=1) <= today:
                considered += 1
        elif item.closed_at is not None:
            closed_on = item.closed_at.date()
            if first <= closed_on <= today:
                considered += 1
                on_time += closed_on <= item.due
    return CloseRate(on_time=on_time, considered=considered)


def repeated_causes(incidents: Iterable[ReviewIncident]) -> tuple[RepeatedCause, ...]:
    """Root-cause categories named by two incidents or more, most frequent first.

    Categories are compared without regard to case or surrounding space; the spelling shown
    is the first one seen.
    """
    counts: dict[str, int] = {}
    spelling: dict[str, str] = {}
    for incident in incidents:
        if not incident.root_cause_category or not incident.root_cause_category.strip():
            continue
        shown = incident.root_cause_category.strip()
        key = shown.casefold()
        spelling.setdefault(key, shown)
        counts[key] = counts.get(key, 0) + 1
    repeats = [RepeatedCause(spelling[key], n) for key, n in counts.items() if n >= 2]
    return tuple(sorted(repeats, key=lambda r: (-r.incident_count, r.category.casefold())))


def phase_medians(incidents: Iterable[ReviewIncident]) -> PhaseMedians:
    """Median time from detection to acknowledgment, mitigation and resolution.

    Taken over resolved incidents that have a detection time; a phase marked before
    detection is left out of that phase's median.
    """
    acknowledge: list[timedelta] = []
    mitigate: list[timedelta] = []
    resolve: list[timedelta] = []
    count = 0
    for incident in incidents:
        if incident.resolved is None or incident.detected is None:
            continue
        count += 1
        durations = measure_phases(
            PhaseTimes(
                detected=incident.detected,
                acknowledged=incident.acknowledged,
                mitigated=incident.mitigated,
                resolved=incident.resolved,
            )
        )
        for value, bucket in (
            (durations.acknowledged, acknowledge),
            (durations.mitigated, mitigate),
            (durations.resolved, resolve),
        ):
            if value is not None:
                bucket.append(value)
    return PhaseMedians(
        acknowledge=median(acknowledge),
        mitigate=median(mitigate),
        resolve=median(resolve),
        incident_count=count,
    )


def median(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def measure_health(
    items: Sequence[ReviewItem],
    incidents: Sequence[ReviewIncident],
    *,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
) -> Health:
    open_items = [item for item in items if item.status == "open"]
    return Health(
        close_rate=close_rate(items, now=now, window=window),
        repeated_causes=repeated_causes(incidents),
        medians=phase_medians(incidents),
        open_rollovers=sum(item.rollovers for item in open_items),
        open_items_rolled_twice=sum(1 for item in open_items if item.rollovers >= 2),
        closed_not_done=sum(
            1
            for item in items
            if item.status == "canceled"
            and item.closed_at is not None
            and now.date() - timedelta(days=window.days - 1) <= item.closed_at.date() <= now.date()
        ),
    )
