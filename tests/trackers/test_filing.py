"""Filing action items in a tracker, exactly once, right after the command's answer, through
Bolt's request path against the fake Jira, GitHub and Linear servers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.services.drafts import draft_json
from storage.ticket_models import ActionItemTicket
from tests.conftest import Scribe
from tests.support.action_items import add_item, command, outbox_settles, run_jobs, start_incident
from tests.support.fake_trackers import Failure, FakeTrackers

__all__ = ["outbox_settles"]


def items(scribe: Scribe, channel: str = "C1") -> list[dict[str, Any]]:
    with scribe.sessions() as session:
        found: list[dict[str, Any]] = draft_json(session, channel, now=scribe.clock(), settings=scribe.settings)[
            "action_items"
        ]
        return found


def label_searches(trackers: FakeTrackers) -> int:
    return sum("labels =" in call.query["jql"][0] for call in trackers.calls_to("jira.search"))


def ticket_row(scribe: Scribe, item_id: int) -> ActionItemTicket | None:
    with scribe.sessions() as session:
        return session.scalars(select(ActionItemTicket).where(ActionItemTicket.item_id == item_id)).one_or_none()


def test_a_new_action_item_is_filed_in_jira_right_after_the_answer_with_owner_due_and_labels(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    assert len(trackers.jira) == 1
    issue = next(iter(trackers.jira.values()))
    fields = issue["fields"]
    assert fields["project"] == {"key": "OPS"}
    assert fields["summary"] == "Add an alert on queue depth"
    assert fields["duedate"] == "2026-12-04"
    assert fields["assignee"] == {"id": "acc-grace"}
    assert set(fields["labels"]) == {"incident", "sev2", f"scribe-item-t111-{item_id}"}
    assert all(" " not in label for label in fields["labels"])
    paragraphs = [p["content"][0]["text"] for p in fields["description"]["content"] if p["content"]]
    assert fields["description"]["type"] == "doc"
    assert "Add an alert on queue depth" in paragraphs
    assert "Incident channel: https://slack.com/app_redirect?channel=C1&team=T111" in paragraphs
    assert items(scribe)[0]["ticket"] == {
        "tracker": "jira",
        "key": issue["key"],
        "url": f"{trackers.jira_url}/browse/{issue['key']}",
        "state": "open",
    }
    listed = command(scribe, "actions")["text"]
    assert f"<{trackers.jira_url}/browse/{issue['key']}|Jira {issue['key']}>" in listed


def test_an_owner_who_maps_to_nobody_in_the_tracker_is_named_in_the_description(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    add_item(scribe, "U3", "2026-12-04", "Rotate the keys")
    fields = next(iter(trackers.jira.values()))["fields"]
    assert "assignee" not in fields
    paragraphs = [p["content"][0]["text"] for p in fields["description"]["content"] if p["content"]]
    assert "Owner: Radia" in paragraphs


def test_a_create_whose_answer_was_lost_is_looked_up_before_any_retry_and_never_filed_twice(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    trackers.fail("jira.create", Failure(502, after_effect=True))
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    assert len(trackers.jira) == 1  # made, but the answer was lost
    assert items(scribe)[0]["ticket"] == {"tracker": "jira", "key": None, "url": None, "state": "pending"}
    assert "ticket pending" in command(scribe, "actions")["text"]
    assert label_searches(trackers) == 0
    run_jobs(scribe, "2026-11-29T15:10:00Z")
    assert len(trackers.jira) == 1
    assert len(trackers.calls_to("jira.create")) == 1
    assert label_searches(trackers) == 1
    row = ticket_row(scribe, item_id)
    assert row is not None
    assert row.key == next(iter(trackers.jira))
    assert row.state == "open"


def test_a_dropped_connection_after_the_create_is_found_again_not_filed_twice(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    trackers.fail("jira.create", Failure(0, after_effect=True, drop=True))
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    run_jobs(scribe, "2026-11-29T15:10:00Z")
    run_jobs(scribe, "2026-11-29T16:10:00Z")
    assert len(trackers.jira) == 1
    assert len(trackers.calls_to("jira.create")) == 1
    row = ticket_row(scribe, item_id)
    assert row is not None
    assert row.key is not None


def test_a_rate_limited_create_waits_as_long_as_retry_after_says_then_files_once(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    trackers.fail("jira.create", Failure(429, headers={"Retry-After": "600"}))
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    assert trackers.jira == {}
    run_jobs(scribe, "2026-11-29T15:05:00Z")  # before Retry-After has passed
    assert len(trackers.calls_to("jira.create")) == 1
    run_jobs(scribe, "2026-11-29T15:11:00Z")
    assert len(trackers.jira) == 1
    assert len(trackers.calls_to("jira.create")) == 2
    row = ticket_row(scribe, item_id)
    assert row is not None
    assert row.key is not None


def test_a_tracker_down_delays_the_ticket_and_the_clock_files_it_once_it_is_back(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    trackers.fail("jira.create", Failure(503))
    trackers.latency = 0.2
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    assert trackers.jira == {}
    assert "ticket pending" in command(scribe, "actions")["text"]
    run_jobs(scribe, "2026-11-29T15:10:00Z")
    assert len(trackers.jira) == 1
    row = ticket_row(scribe, item_id)
    assert row is not None
    assert row.state == "open"


@pytest.mark.parametrize("scribe", ["github"], indirect=True)
def test_a_new_action_item_is_filed_as_a_github_issue_with_its_due_date_in_the_body(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    issue = trackers.github["1"]
    assert issue["title"] == "Add an alert on queue depth"
    assert "Due: 2026-12-04" in issue["body"]
    assert f"<!-- scribe-item-t111-{item_id} -->" in issue["body"]
    assert issue["assignees"] == [{"login": "grace"}]
    assert {label["name"] for label in issue["labels"]} >= {"incident", "sev2"}
    assert items(scribe)[0]["ticket"] == {
        "tracker": "github",
        "key": "1",
        "url": "https://github.com/acme/api/issues/1",
        "state": "open",
    }


@pytest.mark.parametrize("scribe", ["github"], indirect=True)
def test_a_github_create_whose_answer_was_lost_is_found_by_its_marker(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    trackers.fail("github.create", Failure(500, after_effect=True))
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    run_jobs(scribe, "2026-11-29T15:10:00Z")
    assert len(trackers.github) == 1
    assert len(trackers.calls_to("github.create")) == 1
    row = ticket_row(scribe, item_id)
    assert row is not None
    assert row.key == "1"


@pytest.mark.parametrize("scribe", ["linear"], indirect=True)
def test_a_new_action_item_is_filed_in_linear_keeping_its_uuid_and_identifier(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    issue = next(iter(trackers.linear.values()))
    assert issue["dueDate"] == "2026-12-04"
    assert issue["assignee"] == {"id": "user-grace"}
    assert f"scribe-item-t111-{item_id}" in issue["description"]
    row = ticket_row(scribe, item_id)
    assert row is not None
    assert (row.key, row.remote_id) == (issue["identifier"], issue["id"])


@pytest.mark.parametrize("scribe", ["linear"], indirect=True)
def test_a_linear_create_whose_answer_was_lost_is_found_by_its_marker(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    trackers.fail("linear.create", Failure(502, after_effect=True))
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    run_jobs(scribe, "2026-11-29T15:10:00Z")
    assert len(trackers.linear) == 1
    assert len(trackers.calls_to("linear.create")) == 1
    row = ticket_row(scribe, item_id)
    assert row is not None
    assert row.remote_id == next(iter(trackers.linear))


def test_an_item_made_with_the_form_is_filed_too(scribe: Scribe, trackers: FakeTrackers) -> None:
    from tests.support.action_items import opened_view, submit, wait_for

    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe)
    command(scribe, "action")
    values = {
        "owner": {"owner_select": {"selected_user": "U2"}},
        "due": {"due_pick": {"selected_date": "2026-12-03"}},
        "text": {"text_input": {"value": "Write the runbook"}},
    }
    assert submit(scribe, opened_view(scribe.fake), values, user="U1").status == 200
    wait_for(lambda: trackers.jira, what="the ticket")
    assert next(iter(trackers.jira.values()))["fields"]["summary"] == "Write the runbook"
