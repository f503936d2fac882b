"""Items closed as not done in their tracker (won't do, not planned, canceled) in the review."""

from __future__ import annotations


def test_an_item_closed_as_not_done_is_counted_apart_in_the_review_never_as_on_time() -> None:
    from datetime import UTC, date, datetime

    from bot.core.stats import ReviewItem, close_rate, measure_health

    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def item(item_id: int, status: str) -> ReviewItem:
        return ReviewItem(
            item_id=item_id,
            incident_title="Checkout errors",
            incident_channel="C1",
            service=None,
            owner="U2",
            due=date(2026, 12, 4),
            status=status,
            rollovers=0,
            created_at=datetime(2026, 11, 29, tzinfo=UTC),
            closed_at=datetime(2026, 12, 1, tzinfo=UTC) if status != "open" else None,
            text="Add an alert",
        )

    items = [item(1, "done"), item(2, "canceled")]
    rate = close_rate(items, now=now)
    assert (rate.on_time, rate.considered) == (1, 1)
    assert measure_health(items, [], now=now).closed_not_done == 1
