"""The insights figures from plain values: durations by week and severity, counts, rates, causes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.budget import IncidentWindow, Slo, budget_status
from bot.core.insights import (
    CauseCategory,
    Count,
    InsightIncident,
    WeeklyCloseRate,
    build_insights,
    percentile,
    weeks_between,
)
from bot.core.stats import ReviewItem

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # Monday of 2026-W49
SINCE = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)  # Monday of 2026-W47
MIN = timedelta(minutes=1)


def incident(
    number: int,
    detected: datetime | None,
    *,
    ack: int | None = None,
    mitigate: int | None = None,
    resolve: int | None = None,
    severity: str | None = "sev2",
    service: str | None = "checkout",
    cause: str | None = None,
) -> InsightIncident:
    def after(minutes: int | None) -> datetime | None:
        return None if detected is None or minutes is None else detected + minutes * MIN

    return InsightIncident(
        id=number,
        service=service,
        severity=severity,
        started_at=detected or NOW - timedelta(days=1),
        detected=detected,
        acknowledged=after(ack),
        mitigated=after(mitigate),
        resolved=after(resolve),
        root_cause_category=cause,
    )


def item(number: int, due: date, *, closed: date | None = None) -> ReviewItem:
    return ReviewItem(
        item_id=number,
        incident_title="t",
        incident_channel="C1",
        service=None,
        owner="U1",
        due=due,
        status="done" if closed else "open",
        rollovers=0,
        created_at=SINCE,
        closed_at=None if closed is None else datetime.combine(closed, datetime.min.time(), tzinfo=UTC),
    )


def test_the_90th_percentile_is_the_nearest_rank_and_one_of_the_values() -> None:
    values = [timedelta(minutes=m) for m in (1, 2, 3, 4, 5, 6, 7, 8, 9, 100)]
    assert percentile(values, 0.9) == timedelta(minutes=9)
    assert percentile(values[:1], 0.9) == timedelta(minutes=1)
    assert percentile([], 0.9) is None


def test_every_week_of_the_period_is_listed_even_without_incidents() -> None:
    assert weeks_between(SINCE, NOW) == ["2026-W47", "2026-W48", "2026-W49"]


def test_durations_by_week_count_resolved_incidents_with_detection_by_their_detection_week() -> None:
    w47 = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
    w48 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    incidents = [
        incident(1, w47, ack=5, mitigate=20, resolve=60),
        incident(2, w47, ack=15, mitigate=40, resolve=120),
        incident(3, w47, ack=10),  # not resolved: not measured
        incident(4, w48, ack=-5, resolve=30),  # acknowledged before detection: left out of acknowledge
        incident(5, None),  # no detection: in no duration figure
    ]
    figures = build_insights(incidents, [], [], now=NOW, since=SINCE)
    weeks = {f.group: f for f in figures.by_week}
    assert list(weeks) == ["2026-W47", "2026-W48", "2026-W49"]
    assert weeks["2026-W47"].incidents == 2
    assert weeks["2026-W47"].acknowledge.median == 10 * MIN
    assert weeks["2026-W47"].acknowledge.p90 == 15 * MIN
    assert weeks["2026-W47"].resolve.median == 90 * MIN
    assert (weeks["2026-W48"].incidents, weeks["2026-W48"].acknowledge.count) == (1, 0)
    assert weeks["2026-W48"].acknowledge.median is None
    assert weeks["2026-W48"].resolve.median == 30 * MIN
    assert (weeks["2026-W49"].incidents, weeks["2026-W49"].mitigate.p90) == (0, None)


def test_durations_by_severity_put_incidents_without_one_last() -> None:
    at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    incidents = [
        incident(1, at, resolve=10, severity=None),
        incident(2, at, resolve=30, severity="SEV1"),
        incident(3, at, resolve=50, severity="sev1"),
        incident(4, at, resolve=20, severity="sev3"),
    ]
    figures = build_insights(incidents, [], [], now=NOW, since=SINCE)
    assert [(f.group, f.incidents, f.resolve.median) for f in figures.by_severity] == [
        ("sev1", 2, 40 * MIN),
        ("sev3", 1, 20 * MIN),
        ("none", 1, 10 * MIN),
    ]


def test_only_incidents_that_began_in_the_period_count() -> None:
    before = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    inside = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    incidents = [
        incident(1, before, resolve=10, service="search"),
        incident(2, inside, resolve=10),
        incident(3, inside, service="checkout"),
        incident(4, inside, service=None),
    ]
    figures = build_insights(incidents, [], [], now=NOW, since=SINCE)
    assert figures.incidents_per_service == (Count("checkout", 2), Count("none", 1))


def test_budgets_are_passed_on_as_plain_numbers_most_burned_first() -> None:
    slo = Slo("checkout", 99.9, timedelta(days=28))
    spent = IncidentWindow("checkout", NOW - timedelta(hours=1), NOW - timedelta(minutes=40))
    status = budget_status(slo, [spent], now=NOW)
    (figure,) = build_insights([], [], [status], now=NOW, since=SINCE).budgets
    assert figure.service == "checkout"
    assert round(figure.budget_seconds) == 2419
    assert figure.spent_seconds == 1200
    assert 0.49 < figure.burned_fraction < 0.5
    assert figure.over_budget is False


def test_close_rate_by_week_counts_items_by_their_due_week() -> None:
    items = [
        item(1, date(2026, 11, 18), closed=date(2026, 11, 18)),  # on time
        item(2, date(2026, 11, 19), closed=date(2026, 11, 21)),  # late
        item(3, date(2026, 11, 25)),  # open past its due date: late
        item(4, date(2026, 11, 30)),  # due today, open: not late yet
        item(5, date(2026, 12, 4)),  # not due yet
    ]
    figures = build_insights([], items, [], now=NOW, since=SINCE)
    assert figures.close_rate_by_week == (
        WeeklyCloseRate("2026-W47", 1, 1),
        WeeklyCloseRate("2026-W48", 0, 1),
        WeeklyCloseRate("2026-W49", 0, 0),
    )
    assert figures.close_rate_by_week[0].rate == 0.5
    assert figures.close_rate_by_week[2].rate is None
    assert (figures.close_rate.on_time, figures.close_rate.considered) == (1, 3)


def test_root_cause_categories_are_counted_without_regard_to_case_and_repeats_are_flagged() -> None:
    at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    incidents = [
        incident(1, at, cause="Config"),
        incident(2, at, cause=" config "),
        incident(3, at, cause="capacity"),
        incident(4, at),
    ]
    figures = build_insights(incidents, [], [], now=NOW, since=SINCE)
    assert figures.cause_categories == (CauseCategory("Config", 2, True), CauseCategory("capacity", 1, False))
    assert figures.uncategorised == 1
