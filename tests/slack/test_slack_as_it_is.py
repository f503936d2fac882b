"""The main flows against a Slack that is slow and rate limited, as the real one is.

Every Web API call takes a second here, so any call on an answer's path would show: each
answer must come back well within Slack's 3 s, and every effect must happen exactly once
once the work that follows the answers is done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.repeats import REPEAT_WINDOW
from bot.services.drafts import draft_json
from bot.slack.background import wait_for_background
from bot.slack.listeners.commands import DEFERRED
from storage.action_models import ActionItem
from storage.models import DeferredWork, Entry, Incident, PhaseMark
from tests.conftest import Scribe
from tests.support.action_items import TRIGGER, opened_view, outbox_settles, run_jobs
from tests.support.slack_requests import Response, event_callback

__all__ = ["outbox_settles"]

LATENCY = 1.0
ANSWER_WITHIN = 3.0


@pytest.fixture
def slow(scribe: Scribe) -> Scribe:
    scribe.clock.set("2026-11-30T09:00:00Z")
    scribe.fake.latency = LATENCY
    return scribe


def timed(answer: Callable[[], Response]) -> tuple[Response, float]:
    started = time.monotonic()
    response = answer()
    return response, time.monotonic() - started


def answered_in_time(slow: Scribe, text: str, **kwargs: Any) -> dict[str, Any]:
    response, took = timed(lambda: slow.slack.command(text, **kwargs))
    assert response.status == 200, response.body
    assert took < ANSWER_WITHIN, f"/incident {text} answered after {took:.1f} s"
    body: dict[str, Any] = response.json() or {}
    return body


def count(slow: Scribe, model: Any) -> int:
    with slow.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def later_answers(slow: Scribe) -> list[str]:
    return [str(call.params.get("text")) for call in slow.fake.calls_to("response_url")]


def test_the_main_flows_answer_in_time_and_do_everything_once_with_one_second_per_web_api_call(slow: Scribe) -> None:
    started = answered_in_time(slow, "start sev1 Checkout errors in eu-west", channel="C1", user="U1")
    assert "started incident" in started["text"]

    # U2's zone is not cached: the answer accepts the mark, the lookup follows it.
    marked = answered_in_time(slow, "mark detected at 03:55 pager went off", channel="C1", user="U2")
    assert marked["text"] == DEFERRED
    answered_in_time(slow, "note Rolled back to v1.42", channel="C1", user="U1")
    answered_in_time(slow, "action <@U3> 2026-12-04 Alert on certificate expiry", channel="C1", user="U1")
    declared = answered_in_time(slow, "declare sev2 Search is slow", channel="CGENERAL", user="U1")
    assert "Declaring *Search is slow*" in declared["text"]
    wait_for_background()

    # 03:55 in New York on 30 November is 08:55 UTC: read in U2's zone, after the lookup.
    with slow.sessions() as session:
        record = draft_json(session, "C1", now=slow.clock(), settings=slow.settings)
    assert record["phases"]["detected"] == "2026-11-30T08:55:00Z"
    assert any("Detected" in text and "08:55 UTC" in text for text in later_answers(slow))
    assert any("<#CNEW" in text and "is recording" in text for text in later_answers(slow))
    assert [c.params["name"] for c in slow.fake.calls_to("conversations.create")] == ["inc-20261130-search-is-slow"]
    assert count(slow, Entry) == 1
    assert count(slow, ActionItem) == 1
    assert count(slow, Incident) == 2

    resolved = answered_in_time(slow, "mark resolved", channel="C1", user="U1")
    assert "being posted" in resolved["text"]
    status = answered_in_time(slow, "status", channel="C1", user="U2")
    assert "Detected" in status["text"]
    wait_for_background()
    drafts = [c for c in slow.fake.calls_to("chat.postMessage") if c.params.get("channel") == "C1"]
    assert len(drafts) == 1, "the draft's summary is posted once"
    assert len(slow.fake.calls_to("files.completeUploadExternal")) == 1

    # The owner's nudge, then a Done click on it: the click is answered before the DM changes.
    run_jobs(slow, "2026-12-02T05:00:00Z")  # 10:30 in Kolkata, two days before the due date
    nudges = [c for c in slow.fake.calls_to("chat.postMessage") if "Your action item" in str(c.params.get("text"))]
    assert len(nudges) == 1
    [item] = draft_json_items(slow)
    clicked, took = timed(lambda: slow.slack.action(done_click(item["id"], user="U3")))
    assert clicked.status == 200
    assert took < ANSWER_WITHIN
    wait_for_background()
    assert draft_json_items(slow)[0]["status"] == "done"
    assert len(slow.fake.calls_to("chat.update")) == 1


def draft_json_items(slow: Scribe) -> list[dict[str, Any]]:
    with slow.sessions() as session:
        items: list[dict[str, Any]] = draft_json(session, "C1", now=slow.clock(), settings=slow.settings)[
            "action_items"
        ]
    return items


def done_click(item_id: int, *, user: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "token": "legacy",
        "api_app_id": "A111",
        "team": {"id": "T111", "domain": "acme"},
        "user": {"id": user, "team_id": "T111"},
        "trigger_id": TRIGGER,
        "container": {"type": "message", "channel_id": f"D{user}", "message_ts": "1800000001.000100"},
        "actions": [
            {
                "type": "button",
                "action_id": "action_item_done",
                "block_id": f"item_{item_id}",
                "value": str(item_id),
                "action_ts": "1800000002.0",
            }
        ],
    }


def test_forms_are_opened_and_submitted_in_time_and_a_resubmitted_form_adds_one_item(slow: Scribe) -> None:
    answered_in_time(slow, "start sev2 Checkout errors", channel="C1", user="U1")
    opened = answered_in_time(slow, "action", channel="C1", user="U1")
    assert "form" in opened["text"]
    view = opened_view(slow.fake)
    values = {
        "owner": {"owner_select": {"selected_user": "U3"}},
        "due": {"due_pick": {"selected_date": "2026-12-04"}},
        "text": {"text_input": {"value": "Write the runbook"}},
    }
    submission = {
        "type": "view_submission",
        "token": "legacy",
        "api_app_id": "A111",
        "team": {"id": "T111", "domain": "acme"},
        "user": {"id": "U1", "team_id": "T111"},
        "trigger_id": TRIGGER,
        "view": {**view, "id": "VSAME", "state": {"values": values}},
    }
    for _ in range(2):  # the second is Slack's retry after a slow answer, or a double click
        submitted, took = timed(lambda: slow.slack.action(submission))
        assert submitted.status == 200
        assert took < ANSWER_WITHIN
    wait_for_background()
    assert count(slow, ActionItem) == 1
    assert (
        len([c for c in slow.fake.calls_to("chat.postMessage") if "added action item" in str(c.params.get("text"))])
        == 1
    )


def test_the_home_tab_and_message_events_are_answered_in_time(slow: Scribe) -> None:
    answered_in_time(slow, "start sev2 Checkout errors", channel="C1", user="U1")
    home = event_callback(
        {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home", "event_ts": "1800000003.000100"}
    )
    response, took = timed(lambda: slow.slack.event(home))
    assert response.status == 200
    assert took < ANSWER_WITHIN
    message, took = timed(lambda: slow.slack.message("C1", "1764493200.000100", "rolling back"))
    assert message.status == 200
    assert took < ANSWER_WITHIN
    wait_for_background()
    assert len(slow.fake.calls_to("views.publish")) == 1


def test_a_rate_limited_zone_lookup_still_reads_the_time_in_the_typists_zone(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-30T09:00:00Z")
    scribe.answer("start sev1 Checkout errors", channel="C1", user="U1")
    scribe.fake.rate_limit("users.info", retry_after=1)
    answer = scribe.answer("mark detected at 03:55", channel="C1", user="U2")
    assert "08:55 UTC" in answer["text"]
    assert answer["response_type"] == "in_channel"
    assert [c.params["user"] for c in scribe.fake.calls_to("users.info")].count("U2") == 2  # the 429, then its retry
    with scribe.sessions() as session:
        assert (
            draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)["phases"]["detected"]
            == "2026-11-30T08:55:00Z"
        )


def test_a_time_with_its_own_zone_or_a_relative_time_needs_no_lookup_and_is_answered_at_once(scribe: Scribe) -> None:
    scribe.answer("start sev1 Checkout errors", channel="C1", user="U1")
    for typed in ("mark detected at 14:05 UTC", "mark ack at 10m ago"):
        body = scribe.slack.command(typed, channel="C1", user="U2").json()
        assert body["text"] != DEFERRED
        assert body["response_type"] == "in_channel"


def test_the_same_command_typed_twice_moments_apart_is_done_once(scribe: Scribe) -> None:
    scribe.answer("start sev1 Checkout errors", channel="C1", user="U1")
    scribe.answer("note Rolled back to v1.42", channel="C1", user="U1")
    again = scribe.answer("note   rolled back to v1.42", channel="C1", user="U1")
    assert "did nothing the second time" in again["text"]
    assert again.get("response_type") != "in_channel"
    scribe.answer("note Rolled back to v1.42", channel="C1", user="U2")  # someone else says it too: their own note
    assert count(scribe, Entry) == 2

    scribe.clock.now += REPEAT_WINDOW + timedelta(seconds=1)
    scribe.answer("note Rolled back to v1.42", channel="C1", user="U1")  # minutes later it is a new note
    assert count(scribe, Entry) == 3


def test_a_command_retyped_while_its_zone_is_looked_up_is_done_once(scribe: Scribe) -> None:
    scribe.answer("start sev1 Checkout errors", channel="C1", user="U1")
    scribe.fake.latency_for["users.info"] = 1.0
    first = scribe.slack.command("mark detected at 03:55", channel="C1", user="U2").json()
    second = scribe.slack.command("mark detected at 03:55", channel="C1", user="U2").json()
    assert first["text"] == DEFERRED
    assert "did nothing the second time" in second["text"]
    wait_for_background()
    assert count(scribe, PhaseMark) == 1


def test_a_refused_command_can_be_typed_again_at_once(scribe: Scribe) -> None:
    scribe.answer("start sev1 Checkout errors", channel="C1", user="U1")
    refused = scribe.answer("mark resolved", channel="C9", user="U1")  # not an incident channel: nothing written
    assert ":warning:" in refused["text"]
    assert "did nothing" not in scribe.answer("mark resolved", channel="C9", user="U1")["text"]


def test_a_declare_typed_twice_makes_one_channel(scribe: Scribe) -> None:
    scribe.answer("declare sev2 Search is slow", channel="CGENERAL", user="U1")
    again = scribe.answer("declare sev2 Search is slow", channel="CGENERAL", user="U1")
    assert "did nothing the second time" in again["text"]
    assert len(scribe.fake.calls_to("conversations.create")) == 1
    assert count(scribe, Incident) == 1


def test_a_declare_whose_invite_fails_says_what_exists(scribe: Scribe) -> None:
    scribe.fake.responses["conversations.invite"] = {"ok": False, "error": "restricted_action"}
    scribe.answer("declare sev2 Search is slow", channel="CGENERAL", user="U1")
    [told] = later_answers(scribe)
    assert "exists and is recording" in told
    assert "could not invite you" in told
    assert "restricted_action" in told
    assert count(scribe, Incident) == 1


def test_start_in_a_private_channel_the_bot_cannot_read_says_so_plainly(scribe: Scribe) -> None:
    scribe.fake.fail("conversations.info", 200, body={"ok": False, "error": "channel_not_found"})
    scribe.answer("start sev2 Secret outage", channel="G1", user="U1")
    [told] = later_answers(scribe)
    assert "can't read this channel" in told
    assert "/invite @Incident Scribe" in told
    assert scribe.fake.calls_to("conversations.history") == []


def test_start_in_a_public_channel_the_bot_is_not_in_joins_it_before_the_backfill(scribe: Scribe) -> None:
    scribe.fake.channels["C5"] = {"id": "C5", "name": "payments", "is_private": False, "is_member": False}
    scribe.answer("start sev2 Payments", channel="C5", user="U1")
    [joined] = scribe.fake.calls_to("conversations.join")
    assert joined.params["channel"] == "C5"
    assert len(scribe.fake.calls_to("conversations.history")) >= 1


def test_accepted_work_is_kept_until_done(scribe: Scribe) -> None:
    scribe.answer("start sev1 Checkout errors", channel="C1", user="U1")
    scribe.answer("mark detected at 03:55", channel="C1", user="U2")
    with scribe.sessions() as session:
        states = dict(session.execute(select(DeferredWork.kind, DeferredWork.state)).all())
    assert states == {"start": "done", "command": "done"}
