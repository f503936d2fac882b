from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.budget import (
    BudgetStatus,
    IncidentWindow,
    Slo,
    SloInputError,
    budget_status,
    parse_target,
    parse_window,
    rank_services,
)

NOW = datetime(2024, 5, 29, 12, 0, tzinfo=UTC)
SLO = Slo("checkout", 99.9, timedelta(days=28))  # 40 min 19.2 s of budget


def hours_ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def test_the_budget_is_the_unreliable_share_of_the_window() -> None:
    status = budget_status(SLO, [], now=NOW)
    assert status.budget == timedelta(minutes=40, seconds=19.2)
    assert status.spent == timedelta(0)
    assert status.remaining == status.budget
    assert status.burned_fraction == 0
    assert status.over_budget is False


def test_an_incident_spends_its_impact_window() -> None:
    incident = IncidentWindow("checkout", hours_ago(5), hours_ago(5) + timedelta(minutes=20))
    status = budget_status(SLO, [incident], now=NOW)
    assert status.spent == timedelta(minutes=20)
    assert status.remaining == timedelta(minutes=20, seconds=19.2)
    assert status.burned_fraction == pytest.approx(20 / 40.32)
    assert status.over_budget is False


def test_an_unmitigated_incident_spends_up_to_now() -> None:
    status = budget_status(SLO, [IncidentWindow("checkout", hours_ago(1), None)], now=NOW)
    assert status.spent == timedelta(hours=1)
    assert status.remaining == timedelta(minutes=-19, seconds=-40.8)
    assert status.over_budget is True
    assert status.burned_fraction > 1


def test_only_the_part_inside_the_window_counts() -> None:
    start = NOW - timedelta(days=28, minutes=30)
    status = budget_status(SLO, [IncidentWindow("checkout", start, start + timedelta(hours=1))], now=NOW)
    assert status.spent == timedelta(minutes=30)
    old = IncidentWindow("checkout", NOW - timedelta(days=40), NOW - timedelta(days=39))
    assert budget_status(SLO, [old], now=NOW).spent == timedelta(0)


def test_overlapping_incidents_of_one_service_are_counted_once() -> None:
    incidents = [
        IncidentWindow("checkout", hours_ago(3), hours_ago(2)),
        IncidentWindow("checkout", hours_ago(2.5), hours_ago(1.5)),
        IncidentWindow("checkout", hours_ago(2.75), hours_ago(2.25)),  # inside the first
        IncidentWindow("checkout", hours_ago(1), hours_ago(0.5)),  # separate
    ]
    assert budget_status(SLO, incidents, now=NOW).spent == timedelta(hours=2)


def test_touching_incidents_are_not_double_counted() -> None:
    incidents = [
        IncidentWindow("checkout", hours_ago(2), hours_ago(1)),
        IncidentWindow("checkout", hours_ago(1), NOW),
    ]
    assert budget_status(SLO, incidents, now=NOW).spent == timedelta(hours=2)


def test_incidents_of_other_services_spend_nothing() -> None:
    other = IncidentWindow("search", hours_ago(3), hours_ago(1))
    assert budget_status(SLO, [other], now=NOW).spent == timedelta(0)


def test_an_incident_mitigated_before_detection_or_in_the_future_is_clipped() -> None:
    backwards = IncidentWindow("checkout", hours_ago(1), hours_ago(2))
    future = IncidentWindow("checkout", hours_ago(0.25), NOW + timedelta(hours=5))
    assert budget_status(SLO, [backwards, future], now=NOW).spent == timedelta(minutes=15)


def test_spending_exactly_the_budget_is_over_budget() -> None:
    slo = Slo("api", 99.0, timedelta(hours=100))  # one hour of budget
    status = budget_status(slo, [IncidentWindow("api", hours_ago(1), NOW)], now=NOW)
    assert status.remaining == timedelta(0)
    assert status.burned_fraction == pytest.approx(1.0)
    assert status.over_budget is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28d", timedelta(days=28)),
        ("4w", timedelta(weeks=4)),
        ("30d", timedelta(days=30)),
        ("720h", timedelta(hours=720)),
        (" 28 days ", timedelta(days=28)),
        ("1 Week", timedelta(weeks=1)),
    ],
)
def test_windows_are_read_in_hours_days_or_weeks(text: str, expected: timedelta) -> None:
    assert parse_window(text) == expected


@pytest.mark.parametrize("text", ["", "28", "d", "28m", "-4w", "1.5d", "a month"])
def test_an_unreadable_window_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(SloInputError, match="such as 28d, 4w or 720h"):
        parse_window(text)


def test_a_zero_window_is_refused() -> None:
    with pytest.raises(SloInputError, match="longer than zero"):
        parse_window("0d")


def test_targets_are_read_as_percentages() -> None:
    assert parse_target("99.9") == 99.9
    assert parse_target("99.95%") == 99.95
    for text in ("100", "0", "abc", "nan", "-5"):
        with pytest.raises(SloInputError, match=r"such as 99\.9"):
            parse_target(text)


def test_an_impossible_slo_is_refused() -> None:
    with pytest.raises(SloInputError):
        Slo("api", 100.0, timedelta(days=28))
    with pytest.raises(SloInputError):
        Slo("api", 99.9, timedelta(0))


def status(service: str, burned: float) -> BudgetStatus:
    budget = timedelta(hours=1)
    spent = budget * burned
    return BudgetStatus(service, budget, spent, budget - spent, burned, burned >= 1)


def test_services_are_ranked_most_burned_first() -> None:
    ranked = rank_services([status("b", 0.2), status("a", 1.4), status("c", 0.2), status("d", 0.9)])
    assert [s.service for s in ranked] == ["a", "d", "b", "c"]
