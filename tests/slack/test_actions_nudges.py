"""DM nudges worked out by `scribe jobs run --now` at chosen instants, against the fake Web API."""

from __future__ import annotations

from tests.conftest import Scribe
from tests.support.action_items import (
    add_item,
    command,
    keys_posted,
    outbox_settles,
    posts_with_key,
    run_jobs,
    start_incident,
    wait_for,
)

__all__ = ["outbox_settles"]


def nudge_keys(scribe: Scribe) -> list[str]:
    return [key for key in keys_posted(scribe.fake) if key.startswith("nudge:")]


def item_due_friday(scribe: Scribe, owner: str = "U2") -> int:
    """An item created Monday 2026-11-30, due Friday 2026-12-04, its assignment DM delivered."""
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe)
    item_id = add_item(scribe, owner, "2026-12-04", "Alert on queue depth")
    wait_for(lambda: posts_with_key(scribe.fake, f"assign:{item_id}:"), what="the assignment DM")
    return item_id


def test_the_owner_is_nudged_before_on_and_after_the_due_date_in_their_own_working_hours(scribe: Scribe) -> None:
    item = item_due_friday(scribe, owner="U2")  # New York
    run_jobs(scribe, "2026-12-01T16:00:00Z")  # Tuesday: three days before, too early
    assert nudge_keys(scribe) == []
    run_jobs(scribe, "2026-12-02T13:00:00Z")  # Wednesday 08:00 in New York: before working hours
    assert nudge_keys(scribe) == []
    run_jobs(scribe, "2026-12-02T16:00:00Z")  # Wednesday 11:00 in New York
    assert nudge_keys(scribe) == [f"nudge:{item}:before:2026-12-04"]
    run_jobs(scribe, "2026-12-04T16:00:00Z")
    assert nudge_keys(scribe)[-1] == f"nudge:{item}:due:2026-12-04"
    run_jobs(scribe, "2026-12-07T16:00:00Z")  # three days late, a Monday
    assert nudge_keys(scribe)[-1] == f"nudge:{item}:overdue:2026-12-07"
    dms = posts_with_key(scribe.fake, "nudge:")
    assert {call.params["channel"] for call in dms} == {"DU2"}
    assert "is *3 days overdue*" in dms[-1].params["text"]
    assert [e["action_id"] for e in dms[-1].params["blocks"][1]["elements"]] == [
        "action_item_done",
        "action_item_move_due",
        "action_item_reassign",
    ]


def test_running_the_same_job_twice_sends_each_nudge_once(scribe: Scribe) -> None:
    item = item_due_friday(scribe)
    run_jobs(scribe, "2026-12-04T16:00:00Z")
    run_jobs(scribe, "2026-12-04T16:00:00Z")
    run_jobs(scribe, "2026-12-04T18:30:00Z")
    assert nudge_keys(scribe) == [f"nudge:{item}:due:2026-12-04"]


def test_nothing_is_sent_on_the_owners_weekend(scribe: Scribe) -> None:
    item_due_friday(scribe)
    run_jobs(scribe, "2026-12-05T16:00:00Z")  # Saturday
    run_jobs(scribe, "2026-12-06T16:00:00Z")  # Sunday
    assert nudge_keys(scribe) == []


def test_owners_in_other_timezones_are_nudged_at_their_own_working_hours(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe)
    paris = add_item(scribe, "U1", "2026-12-04", "Paris item")
    kolkata = add_item(scribe, "U3", "2026-12-04", "Kolkata item")
    new_york = add_item(scribe, "U2", "2026-12-04", "New York item")
    run_jobs(scribe, "2026-12-02T05:00:00Z")  # 10:30 in Kolkata, 06:00 in Paris, midnight in New York
    assert nudge_keys(scribe) == [f"nudge:{kolkata}:before:2026-12-04"]
    run_jobs(scribe, "2026-12-02T10:00:00Z")  # 11:00 in Paris, 05:00 in New York
    assert nudge_keys(scribe)[1:] == [f"nudge:{paris}:before:2026-12-04"]
    run_jobs(scribe, "2026-12-02T15:00:00Z")
    assert nudge_keys(scribe)[2:] == [f"nudge:{new_york}:before:2026-12-04"]


def test_after_two_overdue_nudges_the_incident_channel_is_told_once(scribe: Scribe) -> None:
    item = item_due_friday(scribe)
    for instant in ("2026-12-07T16:00:00Z", "2026-12-10T16:00:00Z", "2026-12-10T17:00:00Z", "2026-12-14T16:00:00Z"):
        run_jobs(scribe, instant)
    [told] = posts_with_key(scribe.fake, f"nudge:{item}:escalate:")
    assert told.params["channel"] == "C1"
    assert "<@U2>" in told.params["text"]
    assert "overdue" in told.params["text"]


def test_moving_the_due_date_re_arms_the_nudges_for_the_new_date(scribe: Scribe) -> None:
    item = item_due_friday(scribe)
    run_jobs(scribe, "2026-12-04T16:00:00Z")
    command(scribe, f"due {item} 2026-12-09", user="U2")
    run_jobs(scribe, "2026-12-09T16:00:00Z")
    assert nudge_keys(scribe) == [f"nudge:{item}:due:2026-12-04", f"nudge:{item}:due:2026-12-09"]


def test_a_done_item_is_not_nudged(scribe: Scribe) -> None:
    item = item_due_friday(scribe)
    command(scribe, f"done {item}", user="U2")
    run_jobs(scribe, "2026-12-04T16:00:00Z")
    assert nudge_keys(scribe) == []


def test_the_nudge_schedule_follows_the_settings(scribe: Scribe) -> None:
    item = item_due_friday(scribe)
    run_jobs(scribe, "2026-12-05T16:00:00Z", nudge_weekends=True)
    assert nudge_keys(scribe) == [f"nudge:{item}:due:2026-12-04"]
    run_jobs(
        scribe,
        "2026-12-06T23:30:00Z",
        nudge_weekends=True,
        work_hours=(18, 20),
        nudge_hour=18,
        nudge_overdue_every_days=2,
    )
    assert nudge_keys(scribe)[-1] == f"nudge:{item}:overdue:2026-12-06"
