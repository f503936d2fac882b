"""`/incident action | actions | done | reopen | due | reassign` through Bolt's request path."""

from __future__ import annotations

from sqlalchemy import select

from bot.services.drafts import draft_json
from storage.action_models import ActionItemEvent
from tests.conftest import Scribe
from tests.support.action_items import (
    add_item,
    command,
    opened_view,
    outbox_settles,
    posts_with_key,
    start_incident,
    wait_for,
)

__all__ = ["outbox_settles"]


def items(scribe: Scribe, channel: str = "C1") -> list[dict]:
    with scribe.sessions() as session:
        return draft_json(session, channel, now=scribe.clock(), settings=scribe.settings)["action_items"]


def test_an_action_item_has_one_owner_and_a_due_date_read_in_the_callers_timezone(scribe: Scribe) -> None:
    start_incident(scribe)
    scribe.clock.set("2026-11-29T23:30:00Z")  # already Monday 00:30 in Paris, where U1 is
    item_id = add_item(scribe, "U2", "tomorrow", "Add an alert on queue depth")
    assert items(scribe) == [
        {
            "id": item_id,
            "owner": "U2",
            "due": "2026-12-01",
            "text": "Add an alert on queue depth",
            "status": "open",
            "ticket": None,
        }
    ]


def test_an_action_item_without_an_owner_is_refused_saying_why(scribe: Scribe) -> None:
    start_incident(scribe)
    reply = command(scribe, "action friday Add an alert")
    assert "exactly one owner, and none was named" in reply["text"]
    reply = command(scribe, "action @ada friday Add an alert")
    assert "pick the person from the list" in reply["text"]
    assert items(scribe) == []


def test_an_action_item_with_two_owners_is_refused_saying_why(scribe: Scribe) -> None:
    start_incident(scribe)
    reply = command(scribe, "action <@U2|grace> <@U3|radia> friday Add an alert")
    assert "exactly one owner; you named <@U2> and <@U3>" in reply["text"]
    assert items(scribe) == []


def test_a_due_date_in_the_past_or_missing_is_refused(scribe: Scribe) -> None:
    start_incident(scribe)
    assert "in the past" in command(scribe, "action <@U2> 2026-11-28 Add an alert")["text"]
    assert "couldn't find a due date" in command(scribe, "action <@U2> someday Add an alert")["text"]
    assert items(scribe) == []


def test_an_action_item_outside_an_incident_channel_says_how_to_start_one(scribe: Scribe) -> None:
    reply = command(scribe, "action <@U2> friday Add an alert", channel="C9")
    assert "not an incident channel yet" in reply["text"]


def test_the_owner_gets_a_dm_saying_what_was_assigned_by_whom_for_which_incident(scribe: Scribe) -> None:
    start_incident(scribe, title="Checkout errors")
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    [dm] = wait_for(lambda: posts_with_key(scribe.fake, f"assign:{item_id}:"), what="the assignment DM")
    assert dm.params["channel"] == "DU2"
    text = dm.params["text"]
    assert "<@U1> assigned you" in text
    assert "Checkout errors" in text
    assert "<#C1>" in text
    assert "Add an alert on queue depth" in text
    assert "2026-12-04" in text
    buttons = [e["action_id"] for e in dm.params["blocks"][1]["elements"]]
    assert buttons == ["action_item_done", "action_item_move_due", "action_item_reassign"]


def test_action_with_no_arguments_opens_the_form(scribe: Scribe) -> None:
    start_incident(scribe)
    command(scribe, "action")
    [call] = scribe.fake.calls_to("views.open")
    assert call.params["trigger_id"]
    view = opened_view(scribe.fake)
    assert view["callback_id"] == "action_item_create"
    kinds = [block["element"]["type"] for block in view["blocks"]]
    assert kinds == ["users_select", "datepicker", "plain_text_input"]


def test_actions_lists_the_incidents_items_and_actions_mine_the_callers_across_incidents(scribe: Scribe) -> None:
    start_incident(scribe, channel="C1", title="Checkout errors")
    start_incident(scribe, channel="C2", title="Search slow")
    first = add_item(scribe, "U2", "2026-12-04", "Alert on queue depth", channel="C1")
    second = add_item(scribe, "U3", "2026-12-05", "Write the runbook", channel="C1")
    third = add_item(scribe, "U2", "2026-12-02", "Cap the retry storm", channel="C2")
    listed = command(scribe, "actions", channel="C1")["text"]
    assert f"#{first}* Alert on queue depth" in listed
    assert f"#{second}* Write the runbook" in listed
    assert "Cap the retry storm" not in listed
    mine = command(scribe, "actions mine", user="U2", channel="C7")["text"]
    assert mine.index(f"#{third}*") < mine.index(f"#{first}*")  # earlier due date first
    assert "Write the runbook" not in mine


def test_done_reopen_and_a_later_due_date_are_counted_and_kept_in_history(scribe: Scribe) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Alert on queue depth")
    assert "closed" in command(scribe, f"done {item_id}", user="U2")["text"]
    assert "already done" in command(scribe, f"done #{item_id}", user="U2")["text"]
    assert items(scribe)[0]["status"] == "done"
    assert "reopened" in command(scribe, f"reopen {item_id}", user="U2")["text"]
    reply = command(scribe, f"due {item_id} 2026-12-11", user="U2")
    assert "rollover number 1" in reply["text"]
    assert "rollover" not in command(scribe, f"due {item_id} 2026-12-09", user="U2")["text"]  # earlier: not a rollover
    assert items(scribe)[0] == {
        "id": item_id,
        "owner": "U2",
        "due": "2026-12-09",
        "text": "Alert on queue depth",
        "status": "open",
        "ticket": None,
    }
    with scribe.sessions() as session:
        history = [
            (e.kind, e.old_value, e.new_value)
            for e in session.scalars(select(ActionItemEvent).order_by(ActionItemEvent.id))
        ]
    assert history == [
        ("created", None, "U2 2026-12-04"),
        ("done", "open", "done"),
        ("reopened", "done", "open"),
        ("rollover", "2026-12-04", "2026-12-11"),
        ("due_moved", "2026-12-11", "2026-12-09"),
    ]


def test_reassigning_tells_the_new_owner(scribe: Scribe) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Alert on queue depth")
    assert "reassigned" in command(scribe, f"reassign {item_id} <@U3|radia>", user="U2")["text"]
    assert items(scribe)[0]["owner"] == "U3"
    [dm] = wait_for(
        lambda: [c for c in posts_with_key(scribe.fake, f"assign:{item_id}:") if c.params["channel"] == "DU3"],
        what="the DM to the new owner",
    )
    assert "<@U2> reassigned you" in dm.params["text"]
    assert "exactly one new owner" in command(scribe, f"reassign {item_id}", user="U3")["text"]


def test_someone_who_never_took_part_cannot_change_an_item(scribe: Scribe) -> None:
    start_incident(scribe, user="U1")
    item_id = add_item(scribe, "U2", "2026-12-04", "Alert on queue depth", user="U1")
    refused = command(scribe, f"done {item_id}", user="U3", channel="C1")["text"]
    assert "Only the owner of" in refused
    assert items(scribe)[0]["status"] == "open"


def test_the_incident_starter_and_anyone_who_posted_in_the_channel_may_change_an_item(scribe: Scribe) -> None:
    start_incident(scribe, user="U1")
    item_id = add_item(scribe, "U2", "2026-12-04", "Alert on queue depth", user="U1")
    scribe.slack.message("C1", "1764428400.000100", "I can take the runbook part", user="U3")
    assert "rollover number 1" in command(scribe, f"due {item_id} 2026-12-08", user="U3")["text"]
    assert "closed" in command(scribe, f"done {item_id}", user="U1")["text"]


def test_an_item_of_another_workspace_is_never_found(scribe: Scribe) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Alert on queue depth")
    reply = command(scribe, f"done {item_id}", user="U2", team_id="T999")
    assert f"no action item #{item_id} in this workspace" in reply["text"]
    assert items(scribe)[0]["status"] == "open"
