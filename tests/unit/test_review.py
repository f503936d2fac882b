from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.review import ReviewSchedule, build_review, order_items_for_owner
from bot.core.stats import close_rate, phase_medians, repeated_causes
from tests.support.review_values import NOW, TODAY, budget, incident, item


def test_open_items_are_grouped_by_service_most_burned_first_then_no_slo_then_no_service() -> None:
    items = [
        item(1, service=None),
        item(2, service="search"),
        item(3, service="zebra"),
        item(4, service="checkout"),
        item(5, service="billing"),
        item(6, service="checkout", status="done", closed_at=NOW),
    ]
    budgets = [budget("search", 0.3), budget("checkout", 1.2), budget("idle", 0.9)]
    review = build_review(items, [], budgets, now=NOW)
    assert [g.service for g in review.groups] == ["checkout", "search", "billing", "zebra", None]
    assert [[line.item.item_id for line in g.lines] for g in review.groups] == [[4], [2], [5], [3], [1]]
    assert review.groups[0].budget is not None
    assert review.groups[0].budget.over_budget
    assert review.groups[2].budget is None
    assert [b.service for b in review.budgets] == ["checkout", "idle", "search"]


def test_items_in_a_group_run_most_overdue_first_then_by_due_date() -> None:
    items = [
        item(1, due=None),
        item(2, due=TODAY + timedelta(days=5)),
        item(3, due=TODAY - timedelta(days=1)),
        item(4, due=TODAY - timedelta(days=10)),
        item(5, due=TODAY),
    ]
    (group,) = build_review(items, [], [], now=NOW).groups
    assert [(line.item.item_id, line.days_overdue) for line in group.lines] == [(4, 10), (3, 1), (5, 0), (2, 0), (1, 0)]


def test_days_overdue_are_counted_by_the_utc_date_of_now() -> None:
    late_evening = datetime(2024, 5, 27, 23, 59, tzinfo=UTC)
    review = build_review([item(1, due=date(2024, 5, 26))], [], [], now=late_evening)
    assert review.groups[0].lines[0].days_overdue == 1


def test_theater_signals_call_out_overdue_and_twice_rolled_items() -> None:
    items = [
        item(1, due=TODAY - timedelta(days=2)),
        item(2, rollovers=2),
        item(3, rollovers=1),
        item(4, rollovers=5, due=TODAY - timedelta(days=7)),
        item(5, rollovers=3, status="done", closed_at=NOW, due=TODAY - timedelta(days=9)),
    ]
    review = build_review(items, [], [], now=NOW)
    assert [line.item.item_id for line in review.overdue] == [4, 1]
    assert [line.item.item_id for line in review.rolled_over] == [4, 2]


def test_recently_resolved_incidents_without_items_or_with_incomplete_items_are_called_out() -> None:
    incidents = [
        incident("C-none", items=0),
        incident("C-incomplete", items=3, incomplete=2),
        incident("C-fine", items=2),
        incident("C-active", resolved=None, items=0),
        incident("C-old", resolved=NOW - timedelta(days=60), items=0),
    ]
    review = build_review([], incidents, [], now=NOW)
    assert [i.channel for i in review.incidents_without_items] == ["C-none"]
    assert [i.channel for i in review.incidents_with_incomplete_items] == ["C-incomplete"]


def test_on_time_close_rate_counts_items_whose_outcome_was_known_in_the_last_28_days() -> None:
    items = [
        item(1, due=TODAY - timedelta(days=3), status="done", closed_at=NOW - timedelta(days=4)),  # on time
        item(2, due=TODAY - timedelta(days=3), status="done", closed_at=NOW - timedelta(days=3)),  # on the day
        item(3, due=TODAY - timedelta(days=10), status="done", closed_at=NOW - timedelta(days=1)),  # late
        item(4, due=TODAY - timedelta(days=1)),  # open and missed
        item(5, due=TODAY),  # open, not late yet
        item(6, due=TODAY - timedelta(days=40)),  # missed long ago
        item(7, due=TODAY - timedelta(days=50), status="done", closed_at=NOW - timedelta(days=45)),
        item(8, due=None, status="done", closed_at=NOW),
        item(9, due=TODAY - timedelta(days=28)),  # missed: late since the 27th day ago
        item(10, due=TODAY - timedelta(days=29)),  # late since 28 days ago: outside
    ]
    rate = close_rate(items, now=NOW)
    assert (rate.on_time, rate.considered) == (2, 5)
    assert rate.rate == 0.4
    assert close_rate([], now=NOW).rate is None


def test_root_causes_named_by_two_incidents_or_more_are_repeats() -> None:
    incidents = [
        incident("C1", cause="Config change"),
        incident("C2", cause="config change "),
        incident("C3", cause="Capacity"),
        incident("C4", cause="capacity"),
        incident("C5", cause="Config Change"),
        incident("C6", cause="Dependency"),
        incident("C7", cause=None),
        incident("C8", cause=" "),
    ]
    assert [(r.category, r.incident_count) for r in repeated_causes(incidents)] == [
        ("Config change", 3),
        ("Capacity", 2),
    ]


def test_response_time_medians_are_taken_from_detection_over_resolved_incidents() -> None:
    incidents = [
        incident(
            "C1", ack_after=timedelta(minutes=2), mitigate_after=timedelta(minutes=10), resolve_after=timedelta(hours=1)
        ),
        incident(
            "C2", ack_after=timedelta(minutes=4), mitigate_after=timedelta(minutes=20), resolve_after=timedelta(hours=2)
        ),
        incident("C3", ack_after=timedelta(minutes=9), mitigate_after=None, resolve_after=timedelta(hours=6)),
        incident("C4", resolved=None, ack_after=timedelta(hours=9)),  # still open: left out
    ]
    medians = phase_medians(incidents)
    assert medians.incident_count == 3
    assert medians.acknowledge == timedelta(minutes=4)
    assert medians.mitigate == timedelta(minutes=15)
    assert medians.resolve == timedelta(hours=2)
    assert phase_medians([]).resolve is None


def test_the_owners_queue_puts_over_budget_services_first_then_overdue_then_due_date() -> None:
    items = [
        item(1, service="search", due=TODAY + timedelta(days=1)),
        item(2, service="search", due=TODAY - timedelta(days=3)),
        item(3, service="checkout", due=TODAY + timedelta(days=20)),
        item(4, service=None, due=None),
        item(5, service="checkout", due=TODAY - timedelta(days=1)),
        item(6, service=None, due=TODAY + timedelta(days=2)),
    ]
    budgets = [budget("checkout", 1.5), budget("search", 0.5)]
    ordered = order_items_for_owner(items, budgets, now=NOW)
    assert [i.item_id for i in ordered] == [5, 3, 2, 1, 6, 4]


def test_the_review_schedule_reads_a_weekday_and_a_utc_time_and_refuses_anything_else() -> None:
    schedule = ReviewSchedule.parse(" Thursday 7:05 ")
    assert (schedule.weekday, schedule.hour, schedule.minute, str(schedule)) == (3, 7, 5, "thu 07:05")
    for bad in ("xyz 09:00", "mon 24:00", "mon 09:60", "mon", "mon 9"):
        with pytest.raises(ValueError, match="like 'mon 09:00'"):
            ReviewSchedule.parse(bad)


def test_the_review_is_due_at_the_latest_scheduled_moment_and_keyed_by_its_week() -> None:
    schedule = ReviewSchedule.parse("mon 09:00")
    tuesday = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert schedule.last_at(tuesday) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert schedule.last_at(datetime(2026, 11, 30, 8, 59, tzinfo=UTC)) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert schedule.key(tuesday) == "review:2026-W49"
