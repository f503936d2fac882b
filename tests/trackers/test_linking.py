"""``/incident action link ID URL_OR_KEY`` and ``/incident action file ID`` through Bolt."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.ticket_models import ActionItemTicket
from tests.conftest import Scribe
from tests.support.action_items import add_item, command, outbox_settles, start_incident
from tests.support.fake_trackers import FakeTrackers
from tests.support.web_pages import Visitor
from tests.trackers.test_filing import items

__all__ = ["outbox_settles"]


def ticket_count(scribe: Scribe) -> int:
    with scribe.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ActionItemTicket)) or 0)


@pytest.mark.parametrize("scribe", [None], indirect=True)
def test_a_github_issue_as_slack_sends_it_is_linked_and_its_state_read_after_the_answer(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    trackers.github["12"] = {
        "number": 12,
        "node_id": "I_node12",
        "html_url": "https://github.com/acme/api/issues/12",
        "state": "closed",
        "state_reason": "completed",
        "body": "",
        "updated_at": "2026-11-29T14:00:00Z",
        "etag": '"12-0"',
    }
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    reply = command(scribe, f"action link {item_id} <https://github.com/acme/api/issues/12>")
    assert reply["response_type"] == "in_channel"
    assert "<https://github.com/acme/api/issues/12|GitHub #12>" in reply["text"]
    assert items(scribe)[0]["ticket"] == {
        "tracker": "github",
        "key": "12",
        "url": "https://github.com/acme/api/issues/12",
        "state": "done",
    }


@pytest.mark.parametrize("scribe", [None], indirect=True)
def test_a_jira_key_is_linked_to_an_item(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    command(scribe, f"action link #{item_id} OPS-77")
    assert items(scribe)[0]["ticket"]["key"] == "OPS-77"
    assert items(scribe)[0]["ticket"]["url"] == f"{trackers.jira_url}/browse/OPS-77"


@pytest.mark.parametrize("scribe", [None], indirect=True)
def test_a_link_that_is_not_a_ticket_gets_a_private_message_and_writes_nothing(scribe: Scribe) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    reply = command(scribe, f"action link {item_id} <https://example.com/x>")
    assert reply["response_type"] == "ephemeral"
    assert "not an issue of a tracker set up here" in reply["text"]
    reply = command(scribe, "action link nine OPS-1")
    assert reply["response_type"] == "ephemeral"
    assert "Give the item number" in reply["text"]
    assert ticket_count(scribe) == 0


@pytest.mark.parametrize("scribe", [None], indirect=True)
def test_an_item_has_one_ticket_and_a_second_link_is_refused(scribe: Scribe) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    command(scribe, f"action link {item_id} OPS-1")
    reply = command(scribe, f"action link {item_id} OPS-2")
    assert reply["response_type"] == "ephemeral"
    assert "already has Jira OPS-1" in reply["text"]


@pytest.mark.parametrize("scribe", [None], indirect=True)
def test_action_file_files_one_item_when_new_items_are_not_filed(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    assert ticket_count(scribe) == 0
    # With no SCRIBE_TRACKER and three trackers set up, there is no telling where to file it.
    reply = command(scribe, f"action file {item_id}")
    assert "No tracker to file in" in reply["text"]
    assert ticket_count(scribe) == 0
    assert trackers.jira == {}


def test_action_file_twice_files_once(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    reply = command(scribe, f"action file {item_id}")
    assert "already has Jira" in reply["text"]
    assert len(trackers.jira) == 1


def test_the_incident_web_page_links_each_item_to_its_ticket(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    scribe.fake.add_channel("C1", members=("U1", "U2"))
    add_item(scribe, "U2", "2026-12-04", "Add an alert")
    key = next(iter(trackers.jira))
    person = Visitor(scribe.wsgi, scribe.fake)
    person.sign_in("U1")
    page = person.get("/ui/incidents/1").text
    assert f'<a href="{trackers.jira_url}/browse/{key}" rel="noopener noreferrer">Jira {key}</a>' in page
