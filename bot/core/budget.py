"""Error budget arithmetic: how much of each service's allowed unreliability incidents used.

A service's budget over its SLO window is ``window * (1 - target/100)``: 99.9 % over 28 days
allows 40 min 19 s. An incident spends budget for its impact window (detected to mitigated by
default; one not yet mitigated spends up to ``now``). Only the part inside the rolling window
``[now - window, now]`` counts, and overlapping incidents of one service are counted once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


class SloInputError(ValueError):
    """An SLO target or window someone typed could not be read; the message says how to fix it."""


@dataclass(frozen=True)
class Slo:
    service: str
    target_percent: float
    """Share of the window the service must be up, strictly between 0 and 100 (e.g. 99.9)."""
    window: timedelta

    def __post_init__(self) -> None:
        if not 0 < self.target_percent < 100:
            raise SloInputError(
                f"An SLO target must be a percentage above 0 and below 100, such as 99.9; "
                f"{self.target_percent:g} is not."
            )
        if self.window <= timedelta(0):
            raise SloInputError("An SLO window must be longer than zero, such as 28d.")

    @property
    def budget(self) -> timedelta:
        return self.window * (1 - self.target_percent / 100)


@dataclass(frozen=True)
class IncidentWindow:
    """The time an incident hurt a service; ``end`` None means it is still hurting."""

    service: str
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class BudgetStatus:
    service: str
    budget: timedelta
    spent: timedelta
    remaining: timedelta
    """Budget minus spent; negative once the service is over budget."""
    burned_fraction: float
    """Spent divided by budget: 1.0 means all of it, above 1.0 means over."""
    over_budget: bool
    """True once the whole budget is spent (remaining <= 0)."""


def budget_status(slo: Slo, incidents: Iterable[IncidentWindow], *, now: datetime) -> BudgetStatus:
    """The budget of ``slo.service`` at ``now``; incidents of other services are ignored."""
    window_start = now - slo.window
    spans: list[tuple[datetime, datetime]] = []
    for incident in incidents:
        if incident.service != slo.service:
            continue
        start = max(incident.start, window_start)
        end = min(incident.end if incident.end is not None else now, now)
        if end > start:
            spans.append((start, end))
    spent = _merged_length(spans)
    budget = slo.budget
    remaining = budget - spent
    return BudgetStatus(
        service=slo.service,
        budget=budget,
        spent=spent,
        remaining=remaining,
        burned_fraction=spent / budget,
        over_budget=remaining <= timedelta(0),
    )


def _merged_length(spans: list[tuple[datetime, datetime]]) -> timedelta:
    total = timedelta(0)
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(spans):
        if current is None:
            current = (start, end)
        elif start <= current[1]:
            current = (current[0], max(current[1], end))
        else:
            total += current[1] - current[0]
            current = (start, end)
    if current is not None:
        total += current[1] - current[0]
    return total


def rank_services(statuses: Iterable[BudgetStatus]) -> list[BudgetStatus]:
    """Most burned first; ties by service name."""
    return sorted(statuses, key=lambda status: (-status.burned_fraction, status.service))


_WINDOW = re.compile(r"(\d+)\s*([a-z]+)")
_UNITS: dict[str, timedelta] = {
    "h": timedelta(hours=1),
    "hour": timedelta(hours=1),
    "hours": timedelta(hours=1),
    "d": timedelta(days=1),
    "day": timedelta(days=1),
    "days": timedelta(days=1),
    "w": timedelta(weeks=1),
    "week": timedelta(weeks=1),
    "weeks": timedelta(weeks=1),
}


def parse_window(text: str) -> timedelta:
    """Read an SLO window such as ``28d``, ``4w``, ``30d`` or ``720h``."""
    match = _WINDOW.fullmatch(text.strip().lower())
    if match is None or match.group(2) not in _UNITS:
        raise SloInputError(
            f"I couldn't read the SLO window “{text.strip()}”: give a whole number of hours, "
            "days or weeks, such as 28d, 4w or 720h."
        )
    count = int(match.group(1))
    if count == 0:
        raise SloInputError("An SLO window must be longer than zero, such as 28d.")
    return count * _UNITS[match.group(2)]


def parse_target(text: str) -> float:
    """Read an SLO target percentage such as ``99.9`` or ``99.95%``."""
    cleaned = text.strip().removesuffix("%").strip()
    try:
        target = float(cleaned)
    except ValueError:
        target = float("nan")
    if not 0 < target < 100:  # also refuses nan and inf
        raise SloInputError(
            f"I couldn't use “{text.strip()}” as an SLO target: give a percentage above 0 and below 100, such as 99.9."
        )
    return target
