"""An incident has an end: `/incident close` stops recording a resolved incident's channel,
`/incident reopen` resumes it, and a later `/incident start` there begins a new incident."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.core.draft_json import record_to_json
from bot.core.postmortem import build_draft, draft_sections
from bot.core.slackts import datetime_to_ts
from bot.services.drafts import draft_json
from bot.services.record_reader import load_record
from bot.slack.background import wait_for_background
from storage.models import Incident
from storage.postmortems import PostmortemVersion
from tests.conftest import Scribe
from tests.support.action_items import add_item, command, start_incident
from tests.support.slack_requests import event_callback


def ts(iso: str) -> str:
    return datetime_to_ts(datetime.fromisoformat(iso.replace("Z", "+00:00")))


def resolve_and_close(scribe: Scribe, *, user: str = "U1") -> dict[str, Any]:
    assert "Resolved" in command(scribe, "mark resolved", user=user)["text"]
    wait_for_background()  # the draft goes out after the answer
    return command(scribe, "close", user=user)


def texts(scribe: Scribe, channel: str = "C1") -> list[str | None]:
    with scribe.sessions() as session:
        timeline = draft_json(session, channel, now=scribe.clock(), settings=scribe.settings)["timeline"]
    return [entry["text"] for entry in timeline if entry["kind"] == "message"]


def incidents(scribe: Scribe) -> list[Incident]:
    with scribe.sessions() as session:
        return list(session.scalars(select(Incident).order_by(Incident.id)))


def record_of(scribe: Scribe, incident_id: int) -> dict[str, Any]:
    """An incident's record and draft text, by id (whichever incident the channel reads now)."""
    with scribe.sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        record = load_record(session, incident)
    draft = build_draft(record, now=scribe.clock(), full=True, version=None)
    return {"record": record_to_json(record), "sections": draft_sections(draft)}


def test_closing_a_resolved_incident_stops_recording_its_channel(scribe: Scribe) -> None:
    start_incident(scribe, title="Checkout errors")
    scribe.slack.message("C1", ts("2026-11-29T14:40:00.000100Z"), "db is slow", user="U2")

    reply = resolve_and_close(scribe)

    assert reply["response_type"] == "in_channel"
    assert "<@U1> closed *Checkout errors*" in reply["text"]
    assert "no longer recorded" in reply["text"]
    scribe.clock.set("2026-11-29T15:10:00Z")
    assert scribe.slack.message("C1", ts("2026-11-29T15:05:00.000200Z"), "lunch, anyone?", user="U3").status == 200
    assert texts(scribe) == ["db is slow"]
    [closed] = incidents(scribe)
    assert (closed.closed_at, closed.closed_by) == (datetime.fromisoformat("2026-11-29T15:00:00+00:00"), "U1")


def test_closing_an_incident_that_is_not_resolved_is_refused_and_recording_goes_on(scribe: Scribe) -> None:
    start_incident(scribe, title="Checkout errors")

    reply = command(scribe, "close")

    assert reply["response_type"] == "ephemeral"
    assert "“Checkout errors” is not resolved yet" in reply["text"]
    assert "`/incident mark resolved [at TIME]`" in reply["text"]
    scribe.slack.message("C1", ts("2026-11-29T14:40:00.000100Z"), "still failing")
    assert texts(scribe) == ["still failing"]
    assert incidents(scribe)[0].closed_at is None


def test_closing_twice_or_outside_an_incident_channel_says_so(scribe: Scribe) -> None:
    assert "not an incident channel yet" in command(scribe, "close", channel="C9")["text"]
    start_incident(scribe)
    resolve_and_close(scribe)
    assert "did nothing the second time" in command(scribe, "close")["text"]  # typed again at once
    scribe.clock.now += timedelta(minutes=2)
    again = command(scribe, "close")["text"]
    assert "was closed at 2026-11-29 15:00 UTC" in again
    assert "`/incident reopen`" in again
    assert "`/incident done ID`" in command(scribe, "close 3")["text"]


def test_reopen_resumes_recording_into_the_closed_incident(scribe: Scribe) -> None:
    start_incident(scribe, title="Checkout errors")
    scribe.slack.message("C1", ts("2026-11-29T14:40:00.000100Z"), "db is slow", user="U2")
    resolve_and_close(scribe)
    scribe.clock.set("2026-11-29T15:10:00Z")
    scribe.slack.message("C1", ts("2026-11-29T15:05:00.000200Z"), "said while closed", user="U3")

    reply = command(scribe, "reopen", user="U2")

    assert reply["response_type"] == "in_channel"
    assert "<@U2> reopened *Checkout errors*" in reply["text"]
    assert "since 2026-11-29 15:00 UTC" in reply["text"]
    scribe.slack.message("C1", ts("2026-11-29T15:11:00.000300Z"), "it is back", user="U2")
    assert texts(scribe) == ["db is slow", "it is back"]
    [incident] = incidents(scribe)
    assert incident.closed_at is None
    assert incident.closed_by is None
    assert "Resolved" in command(scribe, "status")["text"]


def test_reopen_while_the_incident_is_open_is_refused_and_names_the_action_item_form(scribe: Scribe) -> None:
    assert "not an incident channel yet" in command(scribe, "reopen", channel="C9")["text"]
    start_incident(scribe, title="Checkout errors")
    refused = command(scribe, "reopen")["text"]
    assert "“Checkout errors” is open" in refused
    assert "`/incident reopen ID` reopens action item ID" in refused


def test_reopen_with_an_item_number_still_reopens_the_action_item_even_in_a_closed_channel(scribe: Scribe) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Alert on queue depth")
    assert "closed" in command(scribe, f"done {item_id}")["text"]
    resolve_and_close(scribe)

    reply = command(scribe, f"reopen {item_id}")

    assert f"reopened #{item_id}" in reply["text"]
    assert incidents(scribe)[0].closed_at is not None  # the incident stays closed
    assert "Give the item number" in command(scribe, "reopen soon")["text"]


def test_people_who_post_after_the_close_have_not_taken_part_in_the_incident(scribe: Scribe) -> None:
    start_incident(scribe, user="U1")
    item_id = add_item(scribe, "U1", "2026-12-04", "Alert on queue depth", user="U1")
    scribe.slack.message("C1", ts("2026-11-29T14:40:00.000100Z"), "I can take the runbook part", user="U2")
    resolve_and_close(scribe, user="U1")
    scribe.clock.set("2026-11-29T15:10:00Z")
    scribe.slack.message("C1", ts("2026-11-29T15:05:00.000200Z"), "what happened here?", user="U3")

    assert "Only the owner of" in command(scribe, f"done {item_id}", user="U3")["text"]
    assert "rollover number 1" in command(scribe, f"due {item_id} 2026-12-08", user="U2")["text"]


def test_status_and_actions_in_a_closed_channel_read_its_incident(scribe: Scribe) -> None:
    start_incident(scribe, title="Checkout errors")
    add_item(scribe, "U2", "2026-12-04", "Alert on queue depth")
    resolve_and_close(scribe)

    assert "*Checkout errors* (sev2) — closed" in command(scribe, "status")["text"]
    assert "Alert on queue depth" in command(scribe, "actions")["text"]


def test_a_second_incident_after_the_close_gets_its_own_record_and_draft_and_leaves_the_first_as_it_was(
    scribe: Scribe,
) -> None:
    start_incident(scribe, title="Checkout errors")
    scribe.slack.message("C1", ts("2026-11-29T14:40:00.000100Z"), "db is slow", user="U2")
    add_item(scribe, "U2", "2026-12-04", "Alert on queue depth")
    resolve_and_close(scribe)
    [first] = incidents(scribe)
    before = record_of(scribe, first.id)

    scribe.clock.set("2026-11-29T16:00:00Z")
    said_while_closed = {
        "type": "message",
        "user": "U3",
        "text": "errors again, eu-west this time",
        "ts": ts("2026-11-29T15:30:00.000200Z"),
    }
    said_in_the_first = {"type": "message", "user": "U2", "text": "db is slow", "ts": ts("2026-11-29T14:40:00.000100Z")}
    scribe.slack.message("C1", said_while_closed["ts"], said_while_closed["text"], user="U3")

    def history(params: dict[str, Any]) -> dict[str, Any]:
        if params.get("latest"):
            return {"ok": True, "messages": [], "has_more": False, "response_metadata": {"next_cursor": ""}}
        found = [m for m in (said_while_closed, said_in_the_first) if float(m["ts"]) >= float(params["oldest"])]
        return {"ok": True, "messages": found, "has_more": False, "response_metadata": {"next_cursor": ""}}

    scribe.fake.responses["conversations.history"] = history
    scribe.fake.reset_calls()
    reply = command(scribe, "start sev3 Payments timeouts", user="U3")
    assert "<@U3> started incident *Payments timeouts* (sev3)" in reply["text"]
    wait_for_background()
    scribe.slack.message("C1", ts("2026-11-29T16:01:00.000300Z"), "rolling back payments", user="U3")

    # The backfill reads back only to when the first incident was closed.
    assert scribe.fake.calls_to("conversations.history")[0].params["oldest"] == ts("2026-11-29T15:00:00Z")
    first_now, second = incidents(scribe)
    assert (first_now.id, first_now.closed_at is not None, second.closed_at) == (first.id, True, None)
    with scribe.sessions() as session:
        latest = draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)
    assert latest["incident"]["title"] == "Payments timeouts"
    assert [e["text"] for e in latest["timeline"] if e["kind"] == "message"] == [
        "errors again, eu-west this time",
        "rolling back payments",
    ]
    assert latest["action_items"] == []
    assert record_of(scribe, first.id) == before

    assert "Resolved" in command(scribe, "mark resolved", user="U3")["text"]
    wait_for_background()
    with scribe.sessions() as session:
        versions = [
            (v.incident_id, v.version)
            for v in session.scalars(select(PostmortemVersion).order_by(PostmortemVersion.id))
        ]
    assert versions == [(first.id, 1), (second.id, 1)]
    assert record_of(scribe, first.id) == before


def test_edits_after_the_close_leave_the_record_but_a_deletion_still_removes_the_text(scribe: Scribe) -> None:
    start_incident(scribe)
    scribe.slack.message("C1", ts("2026-11-29T14:40:00.000100Z"), "the token is abc123", user="U2")
    scribe.slack.message("C1", ts("2026-11-29T14:41:00.000200Z"), "db is slow", user="U2")
    resolve_and_close(scribe)
    scribe.clock.set("2026-11-29T15:10:00Z")
    edited = ts("2026-11-29T15:05:00Z")
    scribe.slack.event(
        event_callback(
            {
                "type": "message",
                "subtype": "message_changed",
                "channel": "C1",
                "ts": edited,
                "event_ts": edited,
                "message": {
                    "type": "message",
                    "user": "U2",
                    "text": "db was fine after all",
                    "ts": ts("2026-11-29T14:41:00.000200Z"),
                    "edited": {"user": "U2", "ts": edited},
                },
            }
        )
    )
    deleted = ts("2026-11-29T15:06:00.000900Z")
    scribe.slack.event(
        event_callback(
            {
                "type": "message",
                "subtype": "message_deleted",
                "hidden": True,
                "channel": "C1",
                "ts": deleted,
                "event_ts": deleted,
                "deleted_ts": ts("2026-11-29T14:40:00.000100Z"),
            }
        )
    )

    assert texts(scribe) == [None, "db is slow"]
