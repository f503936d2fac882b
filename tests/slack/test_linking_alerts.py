"""/incident link, links and unlink through Bolt's request path: linked alerts write the timeline."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.core.alert_events import AlertAction
from bot.services.drafts import draft_json, draft_markdown, record_for_channel
from storage.alert_link_models import AlertLink
from tests.conftest import Scribe
from tests.support.action_items import run_jobs
from tests.support.alerts import pagerduty_event, store_alerts

INCIDENT_URL = "https://acme.pagerduty.com/incidents/Q2K7ABCXYZ1234"


@pytest.fixture
def incident(scribe: Scribe) -> Scribe:
    scribe.clock.set("2026-11-29T13:50:00Z")
    assert scribe.command("start sev1 Checkout errors in eu-west", channel="C1", user="U1").status == 200
    return scribe


def triggered_and_acknowledged(scribe: Scribe) -> None:
    store_alerts(
        scribe.sessions,
        "T111",
        pagerduty_event("Q2K7ABCXYZ1234", AlertAction.TRIGGERED, "2026-11-29T13:48:10Z"),
        pagerduty_event("Q2K7ABCXYZ1234", AlertAction.ACKNOWLEDGED, "2026-11-29T13:55:00Z", by="Ada Okafor"),
        received_at=scribe.clock(),
    )


def draft(scribe: Scribe) -> dict:
    with scribe.sessions() as session:
        return draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)


def test_a_link_pulls_in_the_events_that_arrived_before_it(incident: Scribe) -> None:
    triggered_and_acknowledged(incident)
    incident.clock.set("2026-11-29T14:00:00Z")
    body = incident.answer(f"link {INCIDENT_URL}", channel="C1", user="U1")
    assert body["response_type"] == "in_channel"
    assert "2 alert events" in body["text"]
    result = draft(incident)
    assert result["phases"]["detected"] == "2026-11-29T13:48:10Z"
    assert result["phases"]["acknowledged"] == "2026-11-29T13:55:00Z"
    assert [alert["action"] for alert in result["alerts"]] == ["triggered", "acknowledged"]
    assert result["alerts"][1]["by"] == "Ada Okafor"
    assert result["alerts"][0]["link"] == INCIDENT_URL
    assert {entry["kind"] for entry in result["timeline"]} <= {"detected", "acknowledged", "note", "message"}
    assert result["phase_sources"]["detected"]["used"] == "alert"
    detected = [entry for entry in result["timeline"] if entry["kind"] == "detected"]
    assert [(e["at"], e["text"], e["permalink"]) for e in detected] == [
        ("2026-11-29T13:48:10Z", "from PagerDuty", INCIDENT_URL)
    ]


def test_events_arriving_after_the_link_join_the_incident(incident: Scribe) -> None:
    incident.answer("link Q2K7ABCXYZ1234", channel="C1", user="U1")
    assert "alerts" not in draft(incident)
    triggered_and_acknowledged(incident)
    assert draft(incident)["phases"]["detected"] == "2026-11-29T13:48:10Z"


def test_the_timeline_and_transcript_show_alert_entries_at_the_sources_time_with_a_link(incident: Scribe) -> None:
    triggered_and_acknowledged(incident)
    incident.answer(f"link {INCIDENT_URL}", channel="C1", user="U1")
    incident.clock.set("2026-11-29T14:30:00Z")
    incident.answer("mark resolved", channel="C1", user="U1")
    with incident.sessions() as session:
        markdown = draft_markdown(session, "C1", now=incident.clock(), settings=incident.settings)
    assert f"- [13:48]({INCIDENT_URL}) **Alert** — PagerDuty triggered: [#1234] Checkout 5xx above 2%" in markdown
    assert "PagerDuty acknowledged by Ada Okafor" in markdown
    assert f"- [13:55]({INCIDENT_URL}) **ACKNOWLEDGED** — from PagerDuty by Ada Okafor · PagerDuty (bot)" in markdown
    transcript = markdown.split("## Appendix: Transcript", 1)[1]
    assert f"[13:55]({INCIDENT_URL}) PagerDuty (bot): PagerDuty acknowledged by Ada Okafor" in transcript
    assert "Time to acknowledge: 6m" in markdown


def test_a_typed_mark_beats_the_alert_time_and_both_are_shown(incident: Scribe) -> None:
    triggered_and_acknowledged(incident)
    incident.answer(f"link {INCIDENT_URL}", channel="C1", user="U1")
    incident.clock.set("2026-11-29T14:05:00Z")
    incident.answer("mark ack at 14:02 UTC", channel="C1", user="U1")
    result = draft(incident)
    assert result["phases"]["acknowledged"] == "2026-11-29T14:02:00Z"
    assert result["phase_sources"]["acknowledged"]["used"] == "marked"
    assert result["phase_sources"]["acknowledged"]["alert"]["at"] == "2026-11-29T13:55:00Z"
    status = incident.answer("status", channel="C1", user="U1")["text"]
    assert "PagerDuty: acknowledged 13:55 UTC by Ada Okafor; marked 14:02 UTC by @Ada" in status
    assert "<@U1>" not in status


def test_alert_resolution_is_suggested_and_never_resolves_the_incident(incident: Scribe) -> None:
    triggered_and_acknowledged(incident)
    store_alerts(
        incident.sessions,
        "T111",
        pagerduty_event("Q2K7ABCXYZ1234", AlertAction.RESOLVED, "2026-11-29T14:20:00Z", by="Ada Okafor"),
        received_at=incident.clock(),
    )
    incident.answer(f"link {INCIDENT_URL}", channel="C1", user="U1")
    result = draft(incident)
    assert result["phases"]["mitigated"] is None
    assert result["phases"]["resolved"] is None
    assert result["incident"]["status"] == "active"
    assert result["alerts_resolved_at"] == "2026-11-29T14:20:00Z"
    status = incident.answer("status", channel="C1", user="U1")["text"]
    assert "`/incident mark resolved at 2026-11-29 14:20 UTC`" in status


def test_unlink_removes_the_alerts_from_the_record(incident: Scribe) -> None:
    triggered_and_acknowledged(incident)
    incident.answer(f"link {INCIDENT_URL}", channel="C1", user="U1")
    listed = incident.answer("links", channel="C1", user="U1")["text"]
    assert f"1. `{INCIDENT_URL}`, linked by <@U1>: 2 alert events" in listed
    body = incident.answer("unlink 1", channel="C1", user="U2")
    assert body["response_type"] == "in_channel"
    assert "unlinked" in body["text"]
    result = draft(incident)
    assert result["phases"]["detected"] is None
    assert "alerts" not in result
    assert "No alerts are linked" in incident.answer("links", channel="C1", user="U1")["text"]
    assert "no alerts linked" in incident.answer("unlink 1", channel="C1", user="U1")["text"]


def test_linking_the_same_alert_again_adds_nothing(incident: Scribe) -> None:
    incident.answer(f"link {INCIDENT_URL}", channel="C1", user="U1")
    incident.clock.set("2026-11-29T14:10:00Z")
    body = incident.answer(f"link <{INCIDENT_URL}>", channel="C1", user="U2")
    assert "already linked" in body["text"]
    with incident.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AlertLink)) == 1


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("link", "Say which alert to link"),
        ("link https://example.com/incidents/PABC123", "not a PagerDuty incident"),
        ("link two words", "more than one word"),
        ("unlink 7", "no alerts linked"),
    ],
)
def test_bad_input_is_explained_privately_and_writes_nothing(incident: Scribe, typed: str, reason: str) -> None:
    body = incident.answer(typed, channel="C1", user="U1")
    assert body["response_type"] == "ephemeral"
    assert reason in body["text"]
    with incident.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AlertLink)) == 0


def test_a_link_outside_an_incident_channel_says_how_to_start_one(scribe: Scribe) -> None:
    body = scribe.answer(f"link {INCIDENT_URL}", channel="C9", user="U1")
    assert body["response_type"] == "ephemeral"
    assert "not an incident channel" in body["text"]


def test_a_record_without_alerts_is_unchanged(incident: Scribe) -> None:
    with incident.sessions() as session:
        record = record_for_channel(session, "C1")
    assert record.alerts == ()
    assert record.alert_phases is None
    assert set(draft(incident)) == {
        "incident",
        "phases",
        "timeline",
        "action_items",
        "roles",
        "updates",
        "sections",
        "draft",
    }


def notes(scribe: Scribe) -> list[str]:
    return [call.params["text"] for call in scribe.fake.calls_to("chat.postMessage") if ":link:" in call.params["text"]]


def test_a_posted_incident_url_links_it_and_says_so_once(incident: Scribe) -> None:
    triggered_and_acknowledged(incident)
    before = len(incident.fake.calls)
    text = f"Triggered: <{INCIDENT_URL}|#1234 Checkout 5xx above 2%> on PA2P440"
    response = incident.slack.message("C1", "1764424200.000100", text, user="U2", bot_id="BPAGERDUTY")
    assert response.status == 200
    assert incident.fake.calls[before:] == []  # answered without a Web API call
    assert draft(incident)["phases"]["detected"] == "2026-11-29T13:48:10Z"
    assert incident.slack.message("C1", "1764424200.000100", text, user="U2").status == 200  # Slack's retry
    assert incident.slack.message("C1", "1764424260.000200", f"same one: {INCIDENT_URL}", user="U1").status == 200
    run_jobs(incident, "2026-11-29T14:00:00Z")
    run_jobs(incident, "2026-11-29T14:01:00Z")
    assert notes(incident) == [
        (
            ":link: Linked PagerDuty incident Q2K7ABCXYZ1234 to this incident (it was posted here): its events now "
            "write the timeline. `/incident links` lists the links; `/incident unlink N` removes one."
        )
    ]
    assert "found in a message from <@U2>" in incident.answer("links", channel="C1", user="U1")["text"]


def test_an_unlinked_alert_is_not_linked_again_by_a_later_message(incident: Scribe) -> None:
    incident.slack.message("C1", "1764424200.000100", f"see {INCIDENT_URL}", user="U2")
    incident.answer("unlink 1", channel="C1", user="U1")
    incident.slack.message("C1", "1764424300.000100", f"still {INCIDENT_URL}", user="U2")
    assert "No alerts are linked" in incident.answer("links", channel="C1", user="U1")["text"]
    incident.answer(f"link {INCIDENT_URL}", channel="C1", user="U1")  # a person can bring it back
    assert "1. " in incident.answer("links", channel="C1", user="U1")["text"]


def test_a_message_in_a_channel_without_an_incident_links_nothing(scribe: Scribe) -> None:
    assert scribe.slack.message("C9", "1764424200.000100", f"see {INCIDENT_URL}").status == 200
    with scribe.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AlertLink)) == 0


def test_the_posted_draft_says_where_each_phase_came_from(incident: Scribe) -> None:
    triggered_and_acknowledged(incident)
    incident.answer(f"link {INCIDENT_URL}", channel="C1", user="U1")
    incident.clock.set("2026-11-29T14:05:00Z")
    incident.answer("mark ack at 14:02 UTC", channel="C1", user="U1")
    confirmation = incident.answer("mark mitigated", channel="C1", user="U1")["text"]
    assert "Time from detection: to acknowledge 13m, to mitigate 16m." in confirmation  # detected by the alert
    incident.clock.set("2026-11-29T14:30:00Z")
    incident.answer("mark resolved", channel="C1", user="U1")
    run_jobs(incident, "2026-11-29T14:31:00Z")
    [summary] = [
        call.params for call in incident.fake.calls_to("chat.postMessage") if "Postmortem draft" in str(call.params)
    ]
    blocks = json.loads(summary["blocks"]) if isinstance(summary["blocks"], str) else summary["blocks"]
    contexts = [element["text"] for block in blocks if block["type"] == "context" for element in block["elements"]]
    assert any("Detected: PagerDuty: detected 13:48 UTC" in text for text in contexts)
    assert any(
        "Acknowledged: PagerDuty: acknowledged 13:55 UTC by Ada Okafor; marked 14:02 UTC by @Ada" in text
        for text in contexts
    )
