"""The weekly review digest as it reads in Slack: mrkdwn headings and bullets.

The digest is worked out in the core (bot/core/review.py) from plain values; only its
rendering is here. Text people typed (item text, titles, service names, cause
categories) is quoted through :func:`bot.slack.safe_text.safe_mrkdwn`: escaped once, and
never a live mention. The owners of the items are mentioned on purpose.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.durations import format_duration
from bot.core.review import Review, ReviewLine, ServiceGroup
from bot.core.stats import ReviewIncident
from bot.slack.safe_text import channel_mention, safe_mrkdwn, user_mention


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
        theater.append(
            f"• Overdue: {_count(len(review.overdue), 'item')} — " + ", ".join(_ref(line) for line in review.overdue)
        )
    if review.rolled_over:
        theater.append(
            "• Rolled over twice or more: "
            + ", ".join(f"{_ref(line)} ({line.item.rollovers}×)" for line in review.rolled_over)
        )
    if review.incidents_without_items:
        theater.append(
            "• Resolved with no action items: " + ", ".join(_incident_ref(i) for i in review.incidents_without_items)
        )
    if review.incidents_with_incomplete_items:
        theater.append(
            "• Action items without an owner or due date: "
            + ", ".join(
                f"{_incident_ref(i)} ({i.items_missing_owner_or_due})" for i in review.incidents_with_incomplete_items
            )
        )
    out += theater or ["• None this week."]

    health = review.health
    out += ["", "*Signals of health*"]
    rate = health.close_rate
    days = review.window.days
    period = f"last {days // 7} weeks" if days % 7 == 0 else f"last {days} days"
    if rate.rate is None:
        out.append(f"• Closed on or before due date ({period}): no items were due")
    else:
        out.append(f"• Closed on or before due date ({period}): {rate.on_time} of {rate.considered} ({rate.rate:.0%})")
    if health.closed_not_done:
        out.append(f"• Closed as not done in the tracker ({period}): {health.closed_not_done}")
    out.append(f"• Rollovers on open items: {health.open_rollovers}")
    if health.repeated_causes:
        out.append(
            "• Repeated root causes: "
            + ", ".join(f"{safe_mrkdwn(c.category)} ({c.incident_count} incidents)" for c in health.repeated_causes)
        )
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
    name = safe_mrkdwn(group.service) if group.service else "No service"
    budget = group.budget
    if budget is None:
        suffix = " — no SLO" if group.service else ""
        return f"*{name}*{suffix}"
    state = "over budget" if budget.over_budget else f"{format_duration(budget.remaining)} left"
    return (
        f"*{name}* — error budget {budget.burned_fraction:.0%} burned "
        f"({format_duration(budget.spent)} of {format_duration(budget.budget)}, {state})"
    )


def _line_text(line: ReviewLine) -> str:
    item = line.item
    parts = [f"#{item.item_id}"]
    if item.text:
        parts[0] += f" {safe_mrkdwn(item.text)}"
    parts.append(user_mention(item.owner) if item.owner else "_no owner_")
    if item.due is None:
        parts.append("_no due date_")
    elif line.days_overdue:
        parts.append(f"due {item.due.isoformat()} (*{_count(line.days_overdue, 'day')} overdue*)")
    else:
        parts.append(f"due {item.due.isoformat()}")
    if item.rollovers:
        parts.append(f"rolled over {item.rollovers}×")
    parts.append(channel_mention(item.incident_channel))
    return " — ".join(parts)


def _ref(line: ReviewLine) -> str:
    owner = f" {user_mention(line.item.owner)}" if line.item.owner else ""
    return f"#{line.item.item_id}{owner}"


def _incident_ref(incident: ReviewIncident) -> str:
    return f"{channel_mention(incident.channel)} {safe_mrkdwn(incident.title)}"


def _maybe(value: timedelta | None) -> str:
    return format_duration(value) if value is not None else "n/a"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
