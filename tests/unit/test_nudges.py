from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.nudges import NudgeDue, NudgeItem, NudgePolicy, NudgePolicyError, due_nudges

POLICY = NudgePolicy()
# May 2024: the 6th is a Monday, the 11th and 12th a weekend.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2024, 5, day) for day in range(6, 13))


def item(
    due: date,
    *,
    sent: tuple[str, ...] = (),
    tz: str = "UTC",
    status: str = "open",
    item_id: int = 1,
) -> NudgeItem:
    return NudgeItem(item_id=item_id, owner="U1", due=due, owner_tz=tz, status=status, sent=frozenset(sent))


def local(day: date, hour: int, minute: int = 0, tz: str = "UTC") -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def keys(nudges: list[NudgeDue]) -> list[str]:
    return [nudge.key for nudge in nudges]


def test_nothing_is_sent_before_the_before_window_opens() -> None:
    assert due_nudges([item(FRI)], now=local(TUE, 10), policy=POLICY) == []


def test_the_owner_is_nudged_two_days_before_the_due_date() -> None:
    assert due_nudges([item(FRI)], now=local(WED, 10), policy=POLICY) == [
        NudgeDue(item_id=1, kind="before", key="before:2024-05-10", local_date=WED)
    ]


def test_a_before_nudge_that_would_land_on_a_weekend_is_sent_the_friday_before() -> None:
    next_monday = date(2024, 5, 13)
    assert due_nudges([item(next_monday)], now=local(THU, 10), policy=POLICY) == []
    assert keys(due_nudges([item(next_monday)], now=local(FRI, 10), policy=POLICY)) == ["before:2024-05-13"]


def test_the_due_nudge_is_sent_on_the_due_day() -> None:
    nudges = due_nudges([item(WED, sent=("before:2024-05-08",))], now=local(WED, 10), policy=POLICY)
    assert [(n.kind, n.key) for n in nudges] == [("due", "due:2024-05-08")]


def test_a_due_date_on_a_weekend_is_nudged_as_due_on_the_next_working_day() -> None:
    saturday_item = item(SAT, sent=("before:2024-05-11",))
    assert due_nudges([saturday_item], now=local(SAT, 10), policy=POLICY) == []
    monday = date(2024, 5, 13)
    assert due_nudges([saturday_item], now=local(monday, 10), policy=POLICY) == [
        NudgeDue(item_id=1, kind="due", key="due:2024-05-11", local_date=monday)
    ]


def test_overdue_nudges_come_every_three_days_counted_from_the_due_date() -> None:
    sent = ("before:2024-05-06", "due:2024-05-06")
    assert due_nudges([item(MON, sent=sent)], now=local(TUE, 10), policy=POLICY) == []
    assert due_nudges([item(MON, sent=sent)], now=local(WED, 10), policy=POLICY) == []
    assert keys(due_nudges([item(MON, sent=sent)], now=local(THU, 10), policy=POLICY)) == ["overdue:2024-05-09"]
    after_first = (*sent, "overdue:2024-05-09")
    assert due_nudges([item(MON, sent=after_first)], now=local(FRI, 10), policy=POLICY) == []


def test_an_overdue_slot_starting_on_a_weekend_is_sent_on_monday() -> None:
    policy = NudgePolicy(escalate_after_overdue=None)
    sent = ("due:2024-05-06", "overdue:2024-05-09")
    assert due_nudges([item(MON, sent=sent)], now=local(SUN, 10), policy=policy) == []
    nudges = due_nudges([item(MON, sent=sent)], now=local(date(2024, 5, 13), 10), policy=policy)
    assert [(n.kind, n.key) for n in nudges] == [("overdue", "overdue:2024-05-12")]


def test_nothing_is_sent_outside_working_hours_or_before_the_send_hour() -> None:
    for hour, minute in ((8, 0), (9, 30), (9, 59), (17, 0), (23, 0)):
        assert due_nudges([item(WED)], now=local(WED, hour, minute), policy=POLICY) == []
    assert keys(due_nudges([item(WED)], now=local(WED, 16, 59), policy=POLICY)) == ["due:2024-05-08"]


def test_weekends_are_working_days_when_the_policy_allows_them() -> None:
    policy = NudgePolicy(weekdays_only=False)
    assert keys(due_nudges([item(SAT)], now=local(SAT, 10), policy=policy)) == ["due:2024-05-11"]
    assert due_nudges([item(SAT)], now=local(SAT, 10), policy=POLICY) == []


def test_the_owners_own_day_counts_when_utc_is_still_the_previous_day() -> None:
    now = datetime(2024, 5, 7, 22, 0, tzinfo=UTC)  # Tuesday night in UTC, Wednesday 10:00 in Auckland
    auckland = item(WED, tz="Pacific/Auckland", sent=("before:2024-05-08",))
    utc_owner = item(WED, sent=("before:2024-05-08",), item_id=2)
    assert due_nudges([auckland, utc_owner], now=now, policy=POLICY) == [
        NudgeDue(item_id=1, kind="due", key="due:2024-05-08", local_date=WED)
    ]


def test_an_owner_whose_working_day_is_over_is_not_nudged() -> None:
    now = local(WED, 11)  # 20:00 in Tokyo
    tokyo = item(WED, tz="Asia/Tokyo")
    utc_owner = item(WED, item_id=2)
    assert [n.item_id for n in due_nudges([tokyo, utc_owner], now=now, policy=POLICY)] == [2]
    assert keys(due_nudges([tokyo], now=local(WED, 10, tz="Asia/Tokyo"), policy=POLICY)) == ["due:2024-05-08"]


def test_the_weekend_is_the_owners_weekend() -> None:
    sunday_night_utc = datetime(2024, 5, 12, 22, 0, tzinfo=UTC)  # Monday 10:00 in Auckland
    monday = date(2024, 5, 13)
    assert keys(due_nudges([item(monday, tz="Pacific/Auckland")], now=sunday_night_utc, policy=POLICY)) == [
        "due:2024-05-13"
    ]


def test_an_unknown_timezone_is_read_as_utc() -> None:
    assert keys(due_nudges([item(WED, tz="Mars/Olympus")], now=local(WED, 10), policy=POLICY)) == ["due:2024-05-08"]
    assert due_nudges([item(WED, tz="")], now=local(WED, 9), policy=POLICY) == []


def test_catch_up_after_a_missed_week_sends_one_current_nudge_not_a_burst() -> None:
    late = date(2024, 5, 14)  # eight days after a Monday due date; nothing was ever sent
    nudges = due_nudges([item(MON)], now=local(late, 10), policy=POLICY)
    assert nudges == [NudgeDue(item_id=1, kind="overdue", key="overdue:2024-05-12", local_date=late)]


def test_a_missed_before_nudge_is_not_sent_on_the_due_day() -> None:
    assert [n.kind for n in due_nudges([item(WED)], now=local(WED, 10), policy=POLICY)] == ["due"]


def test_a_missed_before_day_is_caught_up_once_before_the_due_date() -> None:
    assert keys(due_nudges([item(FRI)], now=local(THU, 10), policy=POLICY)) == ["before:2024-05-10"]
    assert due_nudges([item(FRI, sent=("before:2024-05-10",))], now=local(THU, 15), policy=POLICY) == []


def test_rerunning_with_the_claimed_keys_sends_nothing_more() -> None:
    items = [item(WED, item_id=1), item(FRI, item_id=2), item(MON, item_id=3, sent=("due:2024-05-06",))]
    now = local(WED, 10)
    first = due_nudges(items, now=now, policy=POLICY)
    assert sorted(keys(first)) == ["before:2024-05-10", "due:2024-05-08"]
    claimed: dict[int, set[str]] = {}
    for nudge in first:
        claimed.setdefault(nudge.item_id, set()).add(nudge.key)
    rerun = [
        NudgeItem(i.item_id, i.owner, i.due, i.owner_tz, i.status, i.sent | claimed.get(i.item_id, set()))
        for i in items
    ]
    assert due_nudges(rerun, now=now, policy=POLICY) == []
    assert due_nudges(rerun, now=local(WED, 16), policy=POLICY) == []


def test_done_items_are_never_nudged() -> None:
    assert due_nudges([item(WED, status="done")], now=local(WED, 10), policy=POLICY) == []
    assert due_nudges([item(MON, status="done")], now=local(THU, 10), policy=POLICY) == []


def test_the_incident_channel_is_told_with_the_second_overdue_nudge() -> None:
    monday = date(2024, 5, 13)
    sent = ("due:2024-05-06", "overdue:2024-05-09")
    nudges = due_nudges([item(MON, sent=sent)], now=local(monday, 10), policy=POLICY)
    assert [(n.kind, n.key) for n in nudges] == [
        ("overdue", "overdue:2024-05-12"),
        ("escalate", "escalate:2024-05-06"),
    ]
    everything = (*sent, "overdue:2024-05-12", "escalate:2024-05-06")
    later = due_nudges([item(MON, sent=everything)], now=local(date(2024, 5, 15), 10), policy=POLICY)
    assert [n.kind for n in later] == ["overdue"]


def test_an_escalation_lost_in_a_crash_is_sent_on_the_next_run() -> None:
    sent = ("overdue:2024-05-09", "overdue:2024-05-12")
    nudges = due_nudges([item(MON, sent=sent)], now=local(date(2024, 5, 14), 10), policy=POLICY)
    assert [(n.kind, n.key) for n in nudges] == [("escalate", "escalate:2024-05-06")]


def test_escalation_can_be_turned_off() -> None:
    policy = NudgePolicy(escalate_after_overdue=None)
    sent = ("overdue:2024-05-09",)
    nudges = due_nudges([item(MON, sent=sent)], now=local(date(2024, 5, 13), 10), policy=policy)
    assert [n.kind for n in nudges] == ["overdue"]


def test_a_rollover_rearms_the_nudges_for_the_new_due_date() -> None:
    old = ("before:2024-05-06", "due:2024-05-06", "overdue:2024-05-09", "overdue:2024-05-12", "escalate:2024-05-06")
    new_due = date(2024, 5, 20)  # a Monday: its before nudge moves to Friday the 17th
    assert keys(due_nudges([item(new_due, sent=old)], now=local(date(2024, 5, 17), 10), policy=POLICY)) == [
        "before:2024-05-20"
    ]
    # Overdue nudges for the old date do not count toward escalating the new one.
    nudges = due_nudges([item(new_due, sent=old)], now=local(date(2024, 5, 23), 10), policy=POLICY)
    assert keys(nudges) == ["overdue:2024-05-23"]


def test_a_zero_days_before_policy_sends_no_before_nudge() -> None:
    policy = NudgePolicy(days_before=0)
    assert due_nudges([item(THU)], now=local(WED, 10), policy=policy) == []


def test_many_items_in_many_zones_are_scheduled_in_one_pass() -> None:
    zones = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Pacific/Auckland"]
    items = [item(WED, tz=zones[i % len(zones)], item_id=i) for i in range(10_000)]
    now = datetime(2024, 5, 8, 14, 30, tzinfo=UTC)  # 16:30 Paris, 10:30 New York, evening in Asia
    nudged = {n.item_id % len(zones) for n in due_nudges(items, now=now, policy=POLICY)}
    assert nudged == {0, 1, 2}


def test_a_policy_that_could_never_send_is_refused() -> None:
    with pytest.raises(NudgePolicyError, match="before the end of the working day"):
        NudgePolicy(send_hour=18, work_end_hour=17)
    with pytest.raises(NudgePolicyError):
        NudgePolicy(overdue_every_days=0)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        due_nudges([item(WED)], now=datetime(2024, 5, 8, 10), policy=POLICY)  # noqa: DTZ001 (the naive time under test)
