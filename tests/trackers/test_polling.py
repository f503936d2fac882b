"""Without webhooks the clock polls linked tickets, batched: one JQL ``key in (…)``, one GraphQL
query, and GitHub issues asked with their ETag (an unchanged one answers 304)."""

from __future__ import annotations

import pytest

from storage.action_models import ActionItem
from tests.conftest import Scribe
from tests.support.action_items import add_item, outbox_settles, run_jobs, start_incident
from tests.support.fake_trackers import FakeTrackers

__all__ = ["outbox_settles"]


def status(scribe: Scribe, item_id: int) -> str:
    with scribe.sessions() as session:
        item = session.get(ActionItem, item_id)
        assert item is not None
        return item.status


@pytest.mark.parametrize("scribe", ["jira-polled"], indirect=True)
def test_the_clock_reads_every_jira_ticket_in_one_search_and_applies_a_close(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    ids = [add_item(scribe, "U2", "2026-12-04", f"Item {n}") for n in range(3)]
    keys = list(trackers.jira)
    trackers.jira_set_status(keys[1], "done", name="Done", resolution="Done")
    trackers.jira[keys[1]]["fields"]["updated"] = "2026-11-29T15:30:00.000+0000"
    before = len(trackers.calls_to("jira.search"))
    run_jobs(scribe, "2026-11-29T16:00:00Z")
    searches = trackers.calls_to("jira.search")[before:]
    assert len(searches) == 1
    assert searches[0].query["jql"][0] == "key in (" + ", ".join(f'"{k}"' for k in keys) + ")"
    assert [status(scribe, i) for i in ids] == ["open", "done", "open"]


@pytest.mark.parametrize("scribe", ["github-polled"], indirect=True)
def test_the_clock_asks_github_with_etags_and_an_unchanged_issue_costs_a_304(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    ids = [add_item(scribe, "U2", "2026-12-04", f"Item {n}") for n in range(2)]
    run_jobs(scribe, "2026-11-29T16:00:00Z")
    trackers.github_close("2", reason="not_planned")
    trackers.github["2"]["updated_at"] = "2026-11-29T16:30:00Z"
    before = len(trackers.calls_to("github.get"))
    run_jobs(scribe, "2026-11-29T17:00:00Z")
    asked = trackers.calls_to("github.get")[before:]
    assert [c.headers.get("if-none-match") for c in asked] == ['"1-0"', '"2-0"']
    assert [status(scribe, i) for i in ids] == ["open", "canceled"]


@pytest.mark.parametrize("scribe", ["linear-polled"], indirect=True)
def test_the_clock_reads_every_linear_issue_in_one_query(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    ids = [add_item(scribe, "U2", "2026-12-04", f"Item {n}") for n in range(3)]
    last = list(trackers.linear.values())[-1]
    last["state"] = {"name": "Done", "type": "completed"}
    last["updatedAt"] = "2026-11-29T15:30:00.000Z"
    run_jobs(scribe, "2026-11-29T16:00:00Z")
    polls = trackers.calls_to("linear.poll")
    assert len(polls) == 1
    assert polls[0].body["variables"]["ids"] == list(trackers.linear)
    assert [status(scribe, i) for i in ids] == ["open", "open", "done"]


def test_with_webhooks_set_up_nothing_is_polled(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    add_item(scribe, "U2", "2026-12-04", "Item")
    run_jobs(scribe, "2026-11-29T16:00:00Z")
    assert trackers.calls_to("jira.search") == []
