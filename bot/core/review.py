"""The weekly review digest, worked out from plain values, and the owner's queue order.

Open items are grouped by service: services with an SLO first, most budget burned first, then
services without an SLO by name, then items with no service. Within a group items run most
overdue first, then by due date (no due date last). The theater signals and signals of health
follow the seed: overdue items, items rolled over twice or more, resolved incidents with no
action items or with items lacking an owner or due date; on-time close rate, repeated root
causes and median response times. The Slack layer renders it (bot/slack/review_text.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.budget import BudgetStatus, rank_services
from bot.core.stats import (
    DEFAULT_WINDOW,
    Health,
    ReviewIncident,
    ReviewItem,
    days_overdue,
    measure_health,
)
from bot.core.weekdays import short_name, weekday_number

__all__ = [
    "Review",
    "ReviewLine",
    "ReviewSchedule",
    "ServiceGroup",
    "build_review",
    "order_items_for_owner",
]

ROLLOVERS_CALLED_OUT = 2
"""Rollovers at which an open item is called out as theater."""


@dataclass(frozen=True)
class ReviewLine:
    item: ReviewItem
    days_overdue: int
    """Whole days past due by the review's UTC date; 0 when not late."""


@dataclass(frozen=True)
class ServiceGroup:
    service: str | None
    """None for items whose incident has no service."""
    budget: BudgetStatus | None
    """None when the service has no SLO."""
    lines: tuple[ReviewLine, ...]


@dataclass(frozen=True)
class Review:
    now: datetime
    window: timedelta
    groups: tuple[ServiceGroup, ...]
    overdue: tuple[ReviewLine, ...]
    """Open items past due, most overdue first."""
    rolled_over: tuple[ReviewLine, ...]
    """Open items rolled over twice or more, most rollovers first."""
    incidents_without_items: tuple[ReviewIncident, ...]
    incidents_with_incomplete_items: tuple[ReviewIncident, ...]
    budgets: tuple[BudgetStatus, ...]
    """Every service with an SLO, most burned first."""
    health: Health

    @property
    def open_item_count(self) -> int:
        return sum(len(group.lines) for group in self.groups)


def build_review(
    items: Iterable[ReviewItem],
    incidents: Iterable[ReviewIncident],
    budgets: Iterable[BudgetStatus],
    *,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
) -> Review:
    """The digest at ``now``.

    ``window`` (28 days by default) bounds the on-time close rate and which resolved
    incidents are checked for missing or incomplete action items (those resolved within it).
    Repeated root causes and the response-time medians use every incident given: the caller
    chooses that history.
    """
    all_items = list(items)
    all_incidents = list(incidents)
    ranked = rank_services(budgets)
    by_service = {status.service: status for status in ranked}

    lines_by_service: dict[str | None, list[ReviewLine]] = {}
    for item in all_items:
        if item.status != "open":
            continue
        line = ReviewLine(item, days_overdue(item.due, now=now))
        lines_by_service.setdefault(item.service, []).append(line)
    for lines in lines_by_service.values():
        lines.sort(key=_line_order)

    order: list[str | None] = [s.service for s in ranked if s.service in lines_by_service]
    unranked: list[str] = [s for s in lines_by_service if s is not None and s not in by_service]
    unranked.sort(key=str.casefold)
    order += unranked
    if None in lines_by_service:
        order.append(None)
    groups = tuple(
        ServiceGroup(
            service=service,
            budget=by_service.get(service) if service is not None else None,
            lines=tuple(lines_by_service[service]),
        )
        for service in order
    )

    open_lines = [line for group in groups for line in group.lines]
    overdue = sorted((line for line in open_lines if line.days_overdue > 0), key=_line_order)
    rolled = sorted(
        (line for line in open_lines if line.item.rollovers >= ROLLOVERS_CALLED_OUT),
        key=lambda line: (-line.item.rollovers, line.item.item_id),
    )
    recent = [
        incident
        for incident in all_incidents
        if incident.resolved is not None and now - window <= incident.resolved <= now
    ]
    recent.sort(key=lambda incident: (incident.resolved, incident.channel))
    return Review(
        now=now,
        window=window,
        groups=groups,
        overdue=tuple(overdue),
        rolled_over=tuple(rolled),
        incidents_without_items=tuple(i for i in recent if i.action_item_count == 0),
        incidents_with_incomplete_items=tuple(
            i for i in recent if i.action_item_count and i.items_missing_owner_or_due
        ),
        budgets=tuple(ranked),
        health=measure_health(all_items, all_incidents, now=now, window=window),
    )


def _line_order(line: ReviewLine) -> tuple[int, date, int]:
    due = line.item.due if line.item.due is not None else date.max
    return (-line.days_overdue, due, line.item.item_id)


def order_items_for_owner(
    items: Iterable[ReviewItem], budgets: Iterable[BudgetStatus], *, now: datetime
) -> list[ReviewItem]:
    """The owner's queue: items of over-budget services first, then overdue, then by due date.

    Within each of those, earlier due dates first and items without a due date last; the
    item id breaks ties. Items are ordered, not filtered.
    """
    over = {status.service for status in budgets if status.over_budget}
    today = now.date()

    def key(item: ReviewItem) -> tuple[bool, bool, date, int]:
        late = item.due is not None and item.due < today
        due = item.due if item.due is not None else date.max
        return (item.service not in over, not late, due, item.item_id)

    return sorted(items, key=key)


@dataclass(frozen=True)
class ReviewSchedule:
    """When the weekly review is due: a weekday and a UTC time (``SCRIBE_REVIEW_AT``)."""

    weekday: int
    """0 is Monday."""
    hour: int
    minute: int

    @classmethod
    def parse(cls, text: str) -> ReviewSchedule:
        """``mon 09:00`` (UTC): a weekday (its first three letters count) and a time."""
        day, _, clock = text.strip().lower().partition(" ")
        hour, _, minute = clock.strip().partition(":")
        weekday = weekday_number(day[:3])
        if weekday is None or not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"a weekday and a UTC time like 'mon 09:00', not {text!r}")
        return cls(weekday, int(hour), int(minute))

    def __str__(self) -> str:
        return f"{short_name(self.weekday)} {self.hour:02d}:{self.minute:02d}"

    def last_at(self, now: datetime) -> datetime:
        """The latest scheduled moment at or before ``now``."""
        today = now.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        moment = today - timedelta(days=(now.weekday() - self.weekday) % 7)
        return moment if moment <= now else moment - timedelta(days=7)

    def key(self, now: datetime) -> str:
        year, week, _ = self.last_at(now).isocalendar()
        return f"review:{year}-W{week:02d}"
