"""The insights figures as plain values: how fast incidents are handled and what keeps breaking.

Everything is computed from plain incident and item values and ``now``; the web pages draw the
charts and tables, the services read the database. All times are aware UTC, weeks are ISO weeks
of UTC dates.

Durations (time to acknowledge, mitigate, resolve) are measured from detection, as in the draft
and ``/incident stats``, over the same population: resolved incidents with a detection time, a
phase marked before detection left out of that phase. Each figure gives the count, the median
and the 90th percentile (nearest rank: the smallest value with at least 90 % of values at or
below it, so it is always one of the measured durations, never an interpolation). An incident
belongs to the ISO week of its detection.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.budget import BudgetStatus
from bot.core.durations import measure_phases
from bot.core.record import PhaseTimes
from bot.core.stats import CloseRate, ReviewItem, close_rate, median

MEASURES: tuple[str, ...] = ("acknowledge", "mitigate", "resolve")
"""The three durations, in the order the pages show them."""
NO_SEVERITY = "none"
"""The severity bucket of incidents with no severity set."""
NO_SERVICE = "none"
"""The service bucket of incidents with no service set."""
NO_CATEGORY = "uncategorised"


@dataclass(frozen=True)
class InsightIncident:
    id: int
    service: str | None
    severity: str | None
    started_at: datetime
    detected: datetime | None = None
    acknowledged: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None
    root_cause_category: str | None = None
    """The category of the incident's first ``/incident cause`` (text before a colon), if any."""


@dataclass(frozen=True)
class DurationFigure:
    """One duration over a group of incidents: None values when the group has none measured."""

    count: int
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True)
class PhaseFigures:
    """Time to acknowledge, mitigate and resolve over one group (a week or a severity)."""

    group: str
    """``2026-W48`` for a week, ``sev1``… or ``none`` for a severity."""
    incidents: int
    """Resolved incidents with a detection time in the group: the population measured."""
    acknowledge: DurationFigure
    mitigate: DurationFigure
    resolve: DurationFigure

    def figure(self, measure: str) -> DurationFigure:
        figures = {"acknowledge": self.acknowledge, "mitigate": self.mitigate, "resolve": self.resolve}
        return figures[measure]


@dataclass(frozen=True)
class Count:
    name: str
    count: int


@dataclass(frozen=True)
class BudgetFigure:
    service: str
    budget_seconds: float
    spent_seconds: float
    burned_fraction: float
    """Spent over budget: 1.0 is all of it, above 1.0 over."""
    over_budget: bool


@dataclass(frozen=True)
class WeeklyCloseRate:
    week: str
    """ISO week of the due dates, ``2026-W48``."""
    on_time: int
    late: int
    """Closed after the due date, or still open past it."""

    @property
    def rate(self) -> float | None:
        total = self.on_time + self.late
        return self.on_time / total if total else None


@dataclass(frozen=True)
class CauseCategory:
    category: str
    incidents: int
    repeated: bool
    """Named by two incidents or more: the weekly review calls it out."""


@dataclass(frozen=True)
class Insights:
    since: datetime
    now: datetime
    by_week: tuple[PhaseFigures, ...]
    """Every ISO week from ``since`` to ``now``, oldest first, weeks without incidents included."""
    by_severity: tuple[PhaseFigures, ...]
    """sev1…sev4 then ``none``, only those with incidents in the period."""
    incidents_per_service: tuple[Count, ...]
    """Incidents started in the period, most first; ``none`` for no service."""
    budgets: tuple[BudgetFigure, ...]
    """Every service with an SLO, most burned first (as of ``now``, over each SLO's own window)."""
    close_rate: CloseRate
    """Items closed on or before their due date, over the period (bot/core/stats.py's rule)."""
    close_rate_by_week: tuple[WeeklyCloseRate, ...]
    cause_categories: tuple[CauseCategory, ...]
    """Root-cause categories of incidents in the period, most named first."""
    uncategorised: int
    """Incidents in the period with no root cause recorded."""


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def percentile(values: Sequence[timedelta], share: float) -> timedelta | None:
    """Nearest-rank percentile: ``share`` 0.9 gives the 90th. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def figure(values: Sequence[timedelta]) -> DurationFigure:
    return DurationFigure(count=len(values), median=median(values), p90=percentile(values, 0.9))


def phase_figures(group: str, incidents: Iterable[InsightIncident]) -> PhaseFigures:
    measured: dict[str, list[timedelta]] = {measure: [] for measure in MEASURES}
    count = 0
    for incident in incidents:
        if incident.detected is None or incident.resolved is None:
            continue
        count += 1
        durations = measure_phases(
            PhaseTimes(incident.detected, incident.acknowledged, incident.mitigated, incident.resolved)
        )
        for measure, value in zip(
            MEASURES, (durations.acknowledged, durations.mitigated, durations.resolved), strict=True
        ):
            if value is not None:
                measured[measure].append(value)
    return PhaseFigures(group, count, *(figure(measured[measure]) for measure in MEASURES))


def weeks_between(since: datetime, now: datetime) -> list[str]:
    """The ISO weeks from ``since``'s to ``now``'s, both included."""
    weeks: list[str] = []
    day = since.date() - timedelta(days=since.date().weekday())
    while day <= now.date():
        weeks.append(iso_week(day))
        day += timedelta(days=7)
    return weeks


def by_week(incidents: Sequence[InsightIncident], *, since: datetime, now: datetime) -> tuple[PhaseFigures, ...]:
    grouped: dict[str, list[InsightIncident]] = {week: [] for week in weeks_between(since, now)}
    for incident in incidents:
        if incident.detected is not None:
            grouped.setdefault(iso_week(incident.detected.date()), []).append(incident)
    return tuple(phase_figures(week, grouped[week]) for week in sorted(grouped))


def by_severity(incidents: Sequence[InsightIncident]) -> tuple[PhaseFigures, ...]:
    grouped: dict[str, list[InsightIncident]] = {}
    for incident in incidents:
        grouped.setdefault((incident.severity or NO_SEVERITY).lower(), []).append(incident)
    order = sorted(grouped, key=lambda name: (name == NO_SEVERITY, name))
    return tuple(phase_figures(name, grouped[name]) for name in order)


def per_service(incidents: Iterable[InsightIncident]) -> tuple[Count, ...]:
    counts: dict[str, int] = {}
    for incident in incidents:
        name = incident.service or NO_SERVICE
        counts[name] = counts.get(name, 0) + 1
    return tuple(Count(name, n) for name, n in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))


def budget_figures(statuses: Iterable[BudgetStatus]) -> tuple[BudgetFigure, ...]:
    return tuple(
        BudgetFigure(
            service=status.service,
            budget_seconds=status.budget.total_seconds(),
            spent_seconds=status.spent.total_seconds(),
            burned_fraction=status.burned_fraction,
            over_budget=status.over_budget,
        )
        for status in statuses
    )


def close_rate_by_week(items: Iterable[ReviewItem], *, since: datetime, now: datetime) -> tuple[WeeklyCloseRate, ...]:
    """Items by the ISO week of their due date, from ``since`` to ``now``: on time when closed on
    or before the due date; late when closed after it, or still open once it has passed. An item
    due today and still open is neither yet; items with no due date never count."""
    today = now.date()
    weeks = weeks_between(since, now)
    on_time = dict.fromkeys(weeks, 0)
    late = dict.fromkeys(weeks, 0)
    for item in items:
        if item.due is None or item.due < since.date() or item.due > today:
            continue
        week = iso_week(item.due)
        if item.status == "done" and item.closed_at is not None:
            if item.closed_at.date() <= item.due:
                on_time[week] += 1
            else:
                late[week] += 1
        elif item.status == "open" and item.due < today:
            late[week] += 1
    return tuple(WeeklyCloseRate(week, on_time[week], late[week]) for week in weeks)


def cause_categories(incidents: Iterable[InsightIncident]) -> tuple[tuple[CauseCategory, ...], int]:
    """Categories compared without regard to case or spacing (the spelling shown is the first
    seen), most named first; and how many incidents have no root cause recorded."""
    counts: dict[str, int] = {}
    spelling: dict[str, str] = {}
    missing = 0
    for incident in incidents:
        shown = " ".join((incident.root_cause_category or "").split())
        if not shown:
            missing += 1
            continue
        key = shown.casefold()
        spelling.setdefault(key, shown)
        counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return tuple(CauseCategory(spelling[key], n, n >= 2) for key, n in ranked), missing


def build_insights(
    incidents: Iterable[InsightIncident],
    items: Iterable[ReviewItem],
    budgets: Iterable[BudgetStatus],
    *,
    now: datetime,
    since: datetime,
) -> Insights:
    """The figures for incidents that began (detected, else started) in ``[since, now]``.

    Budgets are as of ``now`` over each SLO's own window, whatever ``since`` is: a budget is a
    rolling figure, not a sum over the chosen period."""
    chosen = [incident for incident in incidents if since <= (incident.detected or incident.started_at) <= now]
    listed = list(items)
    categories, missing = cause_categories(chosen)
    return Insights(
        since=since,
        now=now,
        by_week=by_week(chosen, since=since, now=now),
        by_severity=by_severity(chosen),
        incidents_per_service=per_service(chosen),
        budgets=budget_figures(budgets),
        close_rate=close_rate(listed, now=now, window=now - since + timedelta(days=1)),
        close_rate_by_week=close_rate_by_week(listed, since=since, now=now),
        cause_categories=categories,
        uncategorised=missing,
    )
