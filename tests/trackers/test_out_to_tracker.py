"""Changes made here reach the ticket right after the answer: done closes it, reopen reopens
it, a new due date or owner is written there."""

from __future__ import annotations

import pytest

from tests.conftest import Scribe
from tests.support.action_items import add_item, click, command, outbox_settles, run_jobs, start_incident
from tests.support.fake_trackers import Failure, FakeTrackers

__all__ = ["outbox_settles"]


def test_done_here_moves_the_jira_ticket_into_the_done_category_and_reopen_moves_it_out(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    key = next(iter(trackers.jira))
    command(scribe, f"done {item_id}")
    assert trackers.jira[key]["fields"]["status"]["statusCategory"]["key"] == "done"
    assert [c.body for c in trackers.calls_to("jira.transition")] == [{"transition": {"id": "31"}}]
    command(scribe, f"reopen {item_id}")
    assert trackers.jira[key]["fields"]["status"]["statusCategory"]["key"] == "new"


def test_a_moved_due_date_and_a_new_owner_are_written_to_the_jira_ticket(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U3", "2026-12-04", "Add an alert")
    key = next(iter(trackers.jira))
    command(scribe, f"due {item_id} 2026-12-11")
    assert trackers.jira[key]["fields"]["duedate"] == "2026-12-11"
    command(scribe, f"reassign {item_id} <@U2|grace>")
    assert trackers.jira[key]["fields"]["assignee"] == {"id": "acc-grace"}


def test_the_dms_done_button_closes_the_ticket(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    key = next(iter(trackers.jira))
    click(scribe, "action_item_done", item_id, user="U2")
    assert trackers.jira[key]["fields"]["status"]["statusCategory"]["key"] == "done"


def test_a_close_that_fails_with_a_5xx_is_done_by_the_clock_once(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    key = next(iter(trackers.jira))
    trackers.fail("jira.transition", Failure(503))
    command(scribe, f"done {item_id}")
    assert trackers.jira[key]["fields"]["status"]["statusCategory"]["key"] == "new"
    run_jobs(scribe, "2026-11-29T15:10:00Z")
    assert trackers.jira[key]["fields"]["status"]["statusCategory"]["key"] == "done"
    assert len(trackers.calls_to("jira.transition")) == 2


@pytest.mark.parametrize("scribe", ["github"], indirect=True)
def test_done_here_closes_the_github_issue_as_completed(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    command(scribe, f"done {item_id}")
    assert (trackers.github["1"]["state"], trackers.github["1"]["state_reason"]) == ("closed", "completed")
    command(scribe, f"due {item_id} 2026-12-11")
    assert "Due: 2026-12-11" in trackers.github["1"]["body"]
    assert "Due: 2026-12-04" not in trackers.github["1"]["body"]


@pytest.mark.parametrize("scribe", ["linear"], indirect=True)
def test_done_here_moves_the_linear_issue_to_the_teams_completed_state(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    issue = next(iter(trackers.linear.values()))
    command(scribe, f"done {item_id}")
    assert issue["state"]["type"] == "completed"
    command(scribe, f"reopen {item_id}")
    assert issue["state"]["type"] == "unstarted"
