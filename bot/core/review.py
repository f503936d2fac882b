"""The weekly review digest, worked out from plain values, and the owner's queue order.

Open items are grouped by service: services with an SLO first, most budget burned first, then
services without an SLO by name, then items with no service. Within a group items run most
overdue first, then by due date (no due date last). The theater signals and signals of health
follow the seed: overdue items, items rolled over twice or more, resolved incidents with no
action items or with items lacking an owner or due date; on-time close rate, repeated root
causes and median response times.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.budget import BudgetStatus, rank_services
from bot.core.durations import format_duration
from bot.core.stats import (
    DEFAULT_WINDOW,
    Health,
    ReviewIncident,
    ReviewItem,
    days_overdue,
    measure_health,
)

__all__ = [
    "Review",
    "ReviewIncident",
    "ReviewItem",
    "ReviewLine",
    "ServiceGroup",
    "build_review",
    "order_items_for_owner",
    "render_review_text",
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
    order += sorted(
        (s for s in lines_by_service if s is not None and s not in by_service), key=str.casefold
    )
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


def render_review_text(review: Review) -> str:
    """The digest as Slack mrkdwn: bold headings and bullets."""
    out: list[str] = [f"*Weekly action-item review* — {review.now.date().isoformat()} (UTC)"]

    out += ["", "*Open items by service*"]
    if not review.groups:
        out.append("No open action items. :tada:")
    for group in review.groups:
        out.append(_group_heading(group))
        out += [f"• {_line_text(line)}" for line in group.lines]

    out += ["", "*Theater signals*"]
    theater: list[str] = []
    if review.overdue:
        theater.append(f"• Overdue: {_count(len(review.overdue), 'item')} — "
                       + ", ".join(_ref(line) for line in review.overdue))
    if review.rolled_over:
        theater.append("• Rolled over twice or more: " + ", ".join(
            f"{_ref(line)} ({line.item.rollovers}×)" for line in review.rolled_over))
    if review.incidents_without_items:
        theater.append("• Resolved with no action items: " + ", ".join(
            _incident_ref(i) for i in review.incidents_without_items))
    if review.incidents_with_incomplete_items:
        theater.append("• Action items without an owner or due date: " + ", ".join(
            f"{_incident_ref(i)} ({i.items_missing_owner_or_due})"
            for i in review.incidents_with_incomplete_items))
    out += theater or ["• None this week."]

    health = review.health
    out += ["", "*Signals of health*"]
    rate = health.close_rate
    days = review.window.days
    period = f"last {days // 7} weeks" if days % 7 == 0 else f"last {days} days"
    if rate.rate is None:
        out.append(f"• Closed on or before due date ({period}): no items were due")
    else:
        out.append(f"• Closed on or before due date ({period}): {rate.on_time} of "
                   f"{rate.considered} ({rate.rate:.0%})")
    out.append(f"• Rollovers on open items: {health.open_rollovers}")
    if health.repeated_causes:
        out.append("• Repeated root causes: " + ", ".join(
            f"{_escape(c.category)} ({c.incident_count} incidents)"
            for c in health.repeated_causes))
    else:
        out.append("• Repeated root causes: none")
    medians = health.medians
    if medians.incident_count:
        out.append(
            "• Median time from detection — "
            f"acknowledge {_maybe(medians.acknowledge)}, mitigate {_maybe(medians.mitigate)}, "
            f"resolve {_maybe(medians.resolve)} "
            f"({_count(medians.incident_count, 'resolved incident')})"
        )
    else:
        out.append("• Median response times: no resolved incidents yet")
    return "\n".join(out)


def _group_heading(group: ServiceGroup) -> str:
    name = _escape(group.service) if group.service else "No service"
    budget = group.budget
    if budget is None:
        suffix = " — no SLO" if group.service else ""
        return f"*{name}*{suffix}"
    state = "over budget" if budget.over_budget else f"{format_duration(budget.remaining)} left"
    return (f"*{name}* — error budget {budget.burned_fraction:.0%} burned "
            f"({format_duration(budget.spent)} of {format_duration(budget.budget)}, {state})")


def _line_text(line: ReviewLine) -> str:
    item = line.item
    parts = [f"#{item.item_id}"]
    if item.text:
        parts[0] += f" {_escape(item.text)}"
    parts.append(f"<@{item.owner}>" if item.owner else "_no owner_")
    if item.due is None:
        parts.append("_no due date_")
    elif line.days_overdue:
        parts.append(f"due {item.due.isoformat()} (*{_count(line.days_overdue, 'day')} overdue*)")
    else:
        parts.append(f"due {item.due.isoformat()}")
    if item.rollovers:
        parts.append(f"rolled over {item.rollovers}×")
    parts.append(f"<#{item.incident_channel}>")
    return " — ".join(parts)


def _ref(line: ReviewLine) -> str:
    owner = f" <@{line.item.owner}>" if line.item.owner else ""
    return f"#{line.item.item_id}{owner}"


def _incident_ref(incident: ReviewIncident) -> str:
    return f"<#{incident.channel}> {_escape(incident.title)}"


def _maybe(value: timedelta | None) -> str:
    return format_duration(value) if value is not None else "n/a"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _escape(text: str) -> str:
    """Slack mrkdwn control characters in user text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
