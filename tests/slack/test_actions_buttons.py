"""The nudge buttons, their modals, the `/incident action` form and the App Home tab."""

from __future__ import annotations

import json

from bot.services.drafts import draft_json
from tests.conftest import Scribe
from tests.support.action_items import (
    add_item,
    click,
    click_payload,
    command,
    home_opened,
    opened_view,
    outbox_settles,
    posts_with_key,
    start_incident,
    submit,
    wait_for,
)

__all__ = ["outbox_settles"]


def items(scribe: Scribe) -> list[dict]:
    with scribe.sessions() as session:
        return draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)["action_items"]


def an_item(scribe: Scribe) -> int:
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe)
    return add_item(scribe, "U2", "2026-12-04", "Alert on queue depth")


def test_done_in_the_dm_closes_the_item_and_replaces_the_buttons(scribe: Scribe) -> None:
    item = an_item(scribe)
    click(scribe, "action_item_done", item, user="U2")
    assert items(scribe)[0]["status"] == "done"
    [update] = scribe.fake.calls_to("chat.update")
    assert update.params["channel"] == "DU2"
    assert "Marked done by <@U2>" in update.params["text"]
    assert all(block["type"] != "actions" for block in update.params["blocks"])


def test_a_click_by_someone_who_may_not_change_the_item_is_refused_and_changes_nothing(scribe: Scribe) -> None:
    item = an_item(scribe)
    click(scribe, "action_item_done", item, user="U3")
    assert items(scribe)[0]["status"] == "open"
    [refusal] = scribe.fake.calls_to("response")
    assert "Only the owner of" in refusal.params["text"]
    assert scribe.fake.calls_to("chat.update") == []


def test_move_due_date_opens_a_modal_and_a_later_date_counts_a_rollover(scribe: Scribe) -> None:
    item = an_item(scribe)
    click(scribe, "action_item_move_due", item, user="U2")
    view = opened_view(scribe.fake)
    assert view["callback_id"] == "action_item_move_due_view"
    response = submit(
        scribe, view, {"due": {"due_pick": {"type": "datepicker", "selected_date": "2026-12-11"}}}, user="U2"
    )
    assert response.status == 200
    assert not response.body
    assert items(scribe)[0]["due"] == "2026-12-11"
    with scribe.sessions() as session:
        from storage.action_models import ActionItem

        moved = session.get(ActionItem, item)
        assert moved is not None
        assert moved.rollovers == 1
    [update] = scribe.fake.calls_to("chat.update")
    assert "rollover 1" in update.params["text"]


def test_a_past_date_in_the_modal_is_refused_on_the_field(scribe: Scribe) -> None:
    item = an_item(scribe)
    click(scribe, "action_item_move_due", item, user="U2")
    response = submit(
        scribe, opened_view(scribe.fake), {"due": {"due_pick": {"selected_date": "2026-11-20"}}}, user="U2"
    )
    body = response.json()
    assert body["response_action"] == "errors"
    assert "in the past" in body["errors"]["due"]
    assert items(scribe)[0]["due"] == "2026-12-04"


def test_reassign_in_the_modal_changes_the_owner_and_tells_them(scribe: Scribe) -> None:
    item = an_item(scribe)
    click(scribe, "action_item_reassign", item, user="U2")
    view = opened_view(scribe.fake)
    assert view["blocks"][1]["element"]["initial_user"] == "U2"
    submit(scribe, view, {"owner": {"owner_select": {"selected_user": "U3"}}}, user="U2")
    assert items(scribe)[0]["owner"] == "U3"
    wait_for(
        lambda: [c for c in posts_with_key(scribe.fake, f"assign:{item}:") if c.params["channel"] == "DU3"],
        what="the new owner's DM",
    )


def test_the_action_form_creates_the_item_dms_the_owner_and_tells_the_channel(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe)
    command(scribe, "action")
    view = opened_view(scribe.fake)
    values = {
        "owner": {"owner_select": {"selected_user": "U3"}},
        "due": {"due_pick": {"selected_date": "2026-12-03"}},
        "text": {"text_input": {"value": "Write the runbook"}},
    }
    response = submit(scribe, view, values, user="U1")
    assert response.status == 200
    assert not response.body
    [created] = items(scribe)
    assert created == {
        "id": created["id"],
        "owner": "U3",
        "due": "2026-12-03",
        "text": "Write the runbook",
        "status": "open",
        "ticket": None,
    }
    wait_for(lambda: posts_with_key(scribe.fake, f"assign:{created['id']}:"), what="the owner's DM")
    [told] = wait_for(lambda: posts_with_key(scribe.fake, f"created:{created['id']}"), what="the channel post")
    assert told.params["channel"] == "C1"


def test_the_action_form_refuses_a_past_date_on_the_field(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe)
    command(scribe, "action")
    values = {
        "owner": {"owner_select": {"selected_user": "U3"}},
        "due": {"due_pick": {"selected_date": "2026-11-29"}},
        "text": {"text_input": {"value": "Write the runbook"}},
    }
    body = submit(scribe, opened_view(scribe.fake), values, user="U1").json()
    assert body["response_action"] == "errors"
    assert "in the past" in body["errors"]["due"]
    assert items(scribe) == []


def test_the_home_tab_shows_open_items_overdue_first_and_the_users_incidents(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe, title="Checkout errors")
    later = add_item(scribe, "U2", "2026-12-04", "Later item")
    sooner = add_item(scribe, "U2", "2026-12-01", "Sooner item")
    scribe.clock.set("2026-12-02T15:00:00Z")
    assert home_opened(scribe, "U2").status == 200
    [published] = scribe.fake.calls_to("views.publish")
    assert published.params["user_id"] == "U2"
    view = published.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    texts = [block["text"]["text"] for block in view["blocks"] if block["type"] == "section"]
    assert texts[0].startswith(f"*#{sooner}* Sooner item")
    assert "overdue" in texts[0]
    assert texts[1].startswith(f"*#{later}* Later item")
    assert any("Checkout errors" in text and "<#C1>" in text for text in texts[2:])
    buttons = [e["action_id"] for block in view["blocks"] if block["type"] == "actions" for e in block["elements"]]
    assert buttons[:2] == ["action_item_done", "action_item_move_due"]

    click(scribe, "action_item_done", sooner, user="U2", container={"type": "view", "view_id": "VHOME"})
    assert len(scribe.fake.calls_to("views.publish")) == 2
    assert [i["status"] for i in items(scribe)] == ["open", "done"]


def test_a_button_that_names_no_item_is_refused_privately_not_answered_500(scribe: Scribe) -> None:
    start_incident(scribe)
    for value in ("<!channel>", "1e3", "", "12345678901234567890123"):
        payload = click_payload("action_item_move_due", 1, response_url=scribe.fake.respond_url())
        payload["actions"][0]["value"] = value
        assert scribe.slack.action(payload).status == 200
    refusals = scribe.fake.calls_to("response_url")
    assert len(refusals) == 4
    for call in refusals:
        assert call.params["response_type"] == "ephemeral"
        assert "names no action item" in call.params["text"]
    assert not scribe.fake.calls_to("views.open")
