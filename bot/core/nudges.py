"""The nudge schedule: which action-item owners get a DM now, and which channels are told.

The schedule is a function of the item's due date, the owner's local clock and the keys of
the nudges already sent. It is worked out from scratch on every run, so a restart or a missed
run only catches up; nothing here remembers anything between runs.

Stages, in the owner's local dates (``d`` is the due date, ``N`` the overdue interval):

- ``before``: from ``d - days_before`` up to the day before ``d``. With ``weekdays_only`` a
  start that lands on a weekend moves back to the previous working day (due Monday, two days
  before is Saturday, so the owner hears on Friday).
- ``due``: from ``d`` up to ``d + N - 1``. A due date on a weekend is therefore nudged on the
  next working day, as "due" (the message says which date it was due), not as overdue.
- ``overdue`` slot ``k`` (k >= 1): from ``d + k*N`` up to ``d + (k+1)*N - 1``. Slots count from
  the due date; a slot that starts on a weekend is sent on the next working day.

A run sends the nudge of the stage the owner is in today, if its key is not in ``sent``:
at most one DM per item per run, and the most relevant one (overdue beats due beats before),
never a burst of the stale ones a downtime skipped. Keys name the stage, not the day it was
sent on — ``before:<due>``, ``due:<due>``, ``overdue:<slot start>``, ``escalate:<due>`` — so
each is sent at most once per due date whatever day the run happens on; moving the due date
(a rollover) re-arms the before, due and escalation nudges for the new date. Storage keeps a
unique constraint on (item, key) and claims the key before sending.

Escalation (a post in the incident channel, not a DM) happens once per due date, in the run
that sends the ``escalate_after_overdue``-th overdue nudge for that due date, or in the first
run after it if it had not happened yet. It may accompany that run's overdue DM.

Nothing is sent unless the owner's local time is on a working day, at or after ``send_hour``
(and ``work_start_hour``) and before ``work_end_hour``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NudgeKind = Literal["before", "due", "overdue", "escalate"]

_UTC = ZoneInfo("UTC")


class NudgePolicyError(ValueError):
    """The configured nudge policy cannot work; the message says which setting and why."""


@dataclass(frozen=True)
class NudgePolicy:
    days_before: int = 2
    """Days before the due date for the "before" nudge; 0 turns it off."""
    overdue_every_days: int = 3
    send_hour: int = 10
    """Earliest local hour (0-23) at which a nudge is sent."""
    work_start_hour: int = 9
    work_end_hour: int = 17
    """Local hour at which the working day ends; nothing is sent from then on."""
    weekdays_only: bool = True
    """When true, nothing is sent on Saturday or Sunday in the owner's zone."""
    escalate_after_overdue: int | None = 2
    """Overdue nudges after which the incident channel is told; None turns it off."""

    def __post_init__(self) -> None:
        if self.days_before < 0:
            raise NudgePolicyError("The days-before setting must be zero or more.")
        if self.overdue_every_days < 1:
            raise NudgePolicyError("Overdue nudges must be at least one day apart.")
        for name in ("send_hour", "work_start_hour", "work_end_hour"):
            if not 0 <= getattr(self, name) <= 24:
                raise NudgePolicyError(f"The {name.replace('_', ' ')} must be between 0 and 24.")
        if self.first_hour >= self.work_end_hour:
            raise NudgePolicyError(
                "The send hour must come before the end of the working day, or no nudge would ever be sent."
            )
        if self.escalate_after_overdue is not None and self.escalate_after_overdue < 1:
            raise NudgePolicyError("Escalation must wait for at least one overdue nudge.")

    @property
    def first_hour(self) -> int:
        return max(self.send_hour, self.work_start_hour)


@dataclass(frozen=True)
class NudgeItem:
    item_id: int
    owner: str
    due: date
    owner_tz: str
    """IANA zone name of the owner; an unknown name is read as UTC."""
    status: str
    """Only "open" items are nudged."""
    sent: frozenset[str] = frozenset()
    """Keys of the nudges already claimed for this item."""


@dataclass(frozen=True)
class NudgeDue:
    item_id: int
    kind: NudgeKind
    key: str
    """Idempotency key, unique per item: claim it before sending."""
    local_date: date
    """The owner's local date at the time of the run."""


def due_nudges(items: Iterable[NudgeItem], *, now: datetime, policy: NudgePolicy) -> list[NudgeDue]:
    """The nudges to send at ``now`` (aware), in the order of ``items``."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    # One clock reading per zone per run: 10,000 items share a handful of zones.
    local_dates: dict[str, date | None] = {}
    found: list[NudgeDue] = []
    for item in items:
        if item.status != "open":
            continue
        if item.owner_tz in local_dates:
            today = local_dates[item.owner_tz]
        else:
            today = _sending_date(now, item.owner_tz, policy)
            local_dates[item.owner_tz] = today
        if today is not None:
            found.extend(_nudges_for(item, today, policy))
    return found


def _nudges_for(item: NudgeItem, today: date, policy: NudgePolicy) -> list[NudgeDue]:
    due = item.due
    if today < due:
        start = _before_start(due, policy)
        if start is None or today < start:
            return []
        return _unsent(item, "before", f"before:{due.isoformat()}", today)
    late_days = (today - due).days
    slot = late_days // policy.overdue_every_days
    if slot == 0:
        return _unsent(item, "due", f"due:{due.isoformat()}", today)
    slot_start = due + timedelta(days=slot * policy.overdue_every_days)
    found = _unsent(item, "overdue", f"overdue:{slot_start.isoformat()}", today)
    threshold = policy.escalate_after_overdue
    escalate_key = f"escalate:{due.isoformat()}"
    if (
        threshold is not None
        and escalate_key not in item.sent
        and _overdue_sent(item.sent, due) + len(found) >= threshold
    ):
        found.append(NudgeDue(item.item_id, "escalate", escalate_key, today))
    return found


def _unsent(item: NudgeItem, kind: NudgeKind, key: str, today: date) -> list[NudgeDue]:
    if key in item.sent:
        return []
    return [NudgeDue(item.item_id, kind, key, today)]


def _overdue_sent(sent: frozenset[str], due: date) -> int:
    """Overdue nudges already sent for this due date (slots start after it)."""
    after = f"overdue:{due.isoformat()}"
    return sum(1 for key in sent if key.startswith("overdue:") and key > after)


def _before_start(due: date, policy: NudgePolicy) -> date | None:
    if policy.days_before == 0:
        return None
    start = due - timedelta(days=policy.days_before)
    if policy.weekdays_only:
        while start.weekday() >= 5:
            start -= timedelta(days=1)
    return start


def _sending_date(now: datetime, tz_name: str, policy: NudgePolicy) -> date | None:
    """The owner's local date if ``now`` is inside their sending window, else None."""
    local = now.astimezone(zone_for(tz_name))
    if policy.weekdays_only and local.weekday() >= 5:
        return None
    if not policy.first_hour <= local.hour < policy.work_end_hour:
        return None
    return local.date()


@lru_cache(maxsize=512)
def zone_for(tz_name: str) -> ZoneInfo:
    """The zone for an IANA name, or UTC when the name is empty or unknown."""
    if not tz_name:
        return _UTC
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        return _UTC
