"""Plain review values (items, incidents, budgets) for the tests of the digest and its text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.budget import BudgetStatus
from bot.core.stats import ReviewIncident, ReviewItem

NOW = datetime(2024, 5, 27, 9, 0, tzinfo=UTC)  # Monday
TODAY = NOW.date()
CREATED = datetime(2024, 4, 1, tzinfo=UTC)


def item(
    item_id: int,
    *,
    service: str | None = "checkout",
    due: date | None = TODAY + timedelta(days=3),
    owner: str | None = "U1",
    status: str = "open",
    rollovers: int = 0,
    closed_at: datetime | None = None,
    text: str = "",
) -> ReviewItem:
    return ReviewItem(
        item_id=item_id,
        incident_title="Checkout errors",
        incident_channel="C1",
        service=service,
        owner=owner,
        due=due,
        status=status,
        rollovers=rollovers,
        created_at=CREATED,
        closed_at=closed_at,
        text=text,
    )


def incident(
    channel: str,
    *,
    resolved: datetime | None = NOW - timedelta(days=2),
    detected: datetime | None = None,
    ack_after: timedelta | None = timedelta(minutes=5),
    mitigate_after: timedelta | None = timedelta(minutes=30),
    resolve_after: timedelta | None = None,
    cause: str | None = None,
    items: int = 1,
    incomplete: int = 0,
) -> ReviewIncident:
    detected = detected or (resolved - timedelta(hours=2) if resolved else NOW - timedelta(hours=1))
    return ReviewIncident(
        channel=channel,
        title=f"Incident in {channel}",
        service="checkout",
        severity="sev2",
        detected=detected,
        acknowledged=detected + ack_after if ack_after else None,
        mitigated=detected + mitigate_after if mitigate_after else None,
        resolved=(detected + resolve_after) if resolve_after else resolved,
        root_cause_category=cause,
        action_item_count=items,
        items_missing_owner_or_due=incomplete,
    )


def budget(service: str, burned: float) -> BudgetStatus:
    total = timedelta(minutes=40)
    spent = total * burned
    return BudgetStatus(service, total, spent, total - spent, burned, burned >= 1)
