"""/incident mark, note, status and help through Bolt's request path."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.services.drafts import draft_json
from storage.models import Entry, Incident, Message, PhaseMark
from tests.conftest import Scribe


@pytest.fixture
def incident(scribe: Scribe) -> Scribe:
    scribe.clock.set("2026-11-29T15:00:00Z")
    response = scribe.command("start sev1 Payments API returning 502s", channel="C1", user="U1")
    assert response.status == 200
    assert response.json()["response_type"] == "in_channel"
    return scribe


def phases(scribe: Scribe) -> dict[str, str | None]:
    with scribe.sessions() as session:
        return draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)["phases"]


def row_counts(scribe: Scribe) -> tuple[int, int, int, int]:
    with scribe.sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) for model in (Incident, Message, PhaseMark, Entry)
        )  # type: ignore[return-value]


def test_a_marker_without_a_time_is_set_when_the_command_arrived(incident: Scribe) -> None:
    incident.clock.set("2026-11-29T15:02:30Z")
    response = incident.command("mark detected", channel="C1", user="U1")
    assert response.status == 200
    assert phases(incident)["detected"] == "2026-11-29T15:02:30Z"


def test_backdated_detection_is_read_in_the_users_timezone(incident: Scribe) -> None:
    # U2 is in America/New_York: 09:55 there on 29 November is 14:55 UTC.
    response = incident.command("mark detected at 09:55 pager went off", channel="C1", user="U2")
    body = response.json()
    assert phases(incident)["detected"] == "2026-11-29T14:55:00Z"
    assert body["response_type"] == "in_channel"
    assert "14:55 UTC" in body["text"]
    assert "09:55" in body["text"]
    assert "pager went off" in body["text"]


def test_the_users_timezone_is_looked_up_once_and_cached(incident: Scribe) -> None:
    incident.command("mark detected at 10m ago", channel="C1", user="U2")
    incident.command("mark ack at 5m ago", channel="C1", user="U2")
    assert [c.params["user"] for c in incident.fake.calls_to("users.info")].count("U2") == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:05", "2026-11-29T13:05:00Z"),  # U1 is in Europe/Paris (UTC+1 in November)
        ("14:05 UTC", "2026-11-29T14:05:00Z"),
        ("2026-11-29 14:05", "2026-11-29T13:05:00Z"),
        ("2026-11-29T14:05:00+03:00", "2026-11-29T11:05:00Z"),
        ("10m ago", "2026-11-29T14:50:00Z"),
        ("2h ago", "2026-11-29T13:00:00Z"),
        ("15 minutes ago", "2026-11-29T14:45:00Z"),
    ],
)
def test_every_time_form_of_the_contract_is_understood(incident: Scribe, typed: str, expected: str) -> None:
    response = incident.command(f"mark detected at {typed}", channel="C1", user="U1")
    assert response.status == 200, response.body
    assert phases(incident)["detected"] == expected, response.json()["text"]


def test_all_four_phases_marked_give_a_correct_utc_record(incident: Scribe) -> None:
    incident.command("mark detected at 14:10 UTC alert fired", channel="C1", user="U1")
    incident.command("mark ack at 14:12 UTC", channel="C1", user="U2")
    incident.command("mark mitigated at 14:40 UTC rolled back", channel="C1", user="U1")
    response = incident.command("mark resolved", channel="C1", user="U1")
    assert "Time from detection: to acknowledge 2m, to mitigate 30m, to resolve 50m." in response.json()["text"]
    assert phases(incident) == {
        "detected": "2026-11-29T14:10:00Z",
        "acknowledged": "2026-11-29T14:12:00Z",
        "mitigated": "2026-11-29T14:40:00Z",
        "resolved": "2026-11-29T15:00:00Z",
    }
    with incident.sessions() as session:
        timeline = draft_json(session, "C1", now=incident.clock(), settings=incident.settings)["timeline"]
    assert [entry["kind"] for entry in timeline] == ["detected", "acknowledged", "mitigated", "resolved"]
    assert timeline[0]["text"] == "alert fired"


def test_a_marker_that_breaks_the_phase_order_is_refused_with_the_conflicting_times(incident: Scribe) -> None:
    incident.command("mark mitigated at 14:40 UTC", channel="C1", user="U1")
    before = row_counts(incident)
    response = incident.command("mark detected at 14:45 UTC", channel="C1", user="U1")
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "Mitigated is 2026-11-29 14:40 UTC" in body["text"]
    assert "14:45" in body["text"]
    assert row_counts(incident) == before


def test_marking_a_phase_again_corrects_it_and_keeps_the_earlier_value_in_history(incident: Scribe) -> None:
    incident.command("mark detected at 14:30 UTC", channel="C1", user="U1")
    response = incident.command("mark detected at 14:20 UTC", channel="C1", user="U2")
    assert "Corrected from 2026-11-29 14:30 UTC" in response.json()["text"]
    assert phases(incident)["detected"] == "2026-11-29T14:20:00Z"
    with incident.sessions() as session:
        history = session.execute(select(PhaseMark.at, PhaseMark.superseded_at).order_by(PhaseMark.id)).all()
    assert [(at.strftime("%H:%M"), superseded is not None) for at, superseded in history] == [
        ("14:30", True),
        ("14:20", False),
    ]


def test_a_future_time_is_refused(incident: Scribe) -> None:
    response = incident.command("mark detected at 2026-11-29 16:30 UTC", channel="C1", user="U1")
    assert response.json()["response_type"] == "ephemeral"
    assert "future" in response.json()["text"]
    assert phases(incident)["detected"] is None


@pytest.mark.parametrize(
    "typed",
    [
        "mark detected at 25:99",
        "mark detected at yesterday-ish",
        "mark detected at 🔥",
        "mark detected at",
        "mark detonated",
        "mark",
        "note",
        "start",
        "note " + "x" * 5000,
        "note hello\x00world",
        "mark detected at 14:05\x07",
    ],
)
def test_bad_input_gets_a_clear_private_message_and_writes_nothing(incident: Scribe, typed: str) -> None:
    before = row_counts(incident)
    response = incident.command(typed, channel="C1", user="U1")
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith(":warning:")
    assert row_counts(incident) == before


def test_a_5000_character_title_is_refused_before_anything_is_created(scribe: Scribe) -> None:
    response = scribe.command("start sev2 " + "a" * 5000, channel="C9")
    assert "limit" in response.json()["text"]
    with scribe.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0


def test_marking_outside_an_incident_channel_says_how_to_start_one(scribe: Scribe) -> None:
    response = scribe.command("mark detected", channel="C7")
    assert "/incident start" in response.json()["text"]


def test_a_note_becomes_a_key_event_on_the_timeline(incident: Scribe) -> None:
    response = incident.command("note Rolled back payments to v1.42", channel="C1", user="U1")
    assert response.json()["response_type"] == "in_channel"
    with incident.sessions() as session:
        [entry] = draft_json(session, "C1", now=incident.clock(), settings=incident.settings)["timeline"]
    assert entry == {
        "at": "2026-11-29T15:00:00Z",
        "kind": "note",
        "user": "U1",
        "text": "Rolled back payments to v1.42",
        "key": True,
    }


def test_status_shows_each_phase_in_utc_and_the_users_zone(incident: Scribe) -> None:
    incident.command("mark detected at 14:10 UTC", channel="C1", user="U1")
    text = incident.command("status", channel="C1", user="U1").json()["text"]
    assert "Payments API returning 502s" in text
    assert "Detected: 2026-11-29 14:10 UTC (15:10 CET)" in text
    assert "Mitigated: not marked yet" in text


@pytest.mark.parametrize("typed", ["", "help", "frobnicate now"])
def test_help_and_unknown_subcommands_show_the_grammar(scribe: Scribe, typed: str) -> None:
    text = scribe.command(typed, channel="C1").json()["text"]
    assert "/incident mark PHASE [at TIME] [NOTE]" in text
    if typed.startswith("frob"):
        assert "I don't know `/incident frobnicate`" in text


def test_starting_an_incident_twice_keeps_the_first(incident: Scribe) -> None:
    response = incident.command("start sev3 Something else", channel="C1", user="U2")
    assert "already recording “Payments API returning 502s”" in response.json()["text"]
    with incident.sessions() as session:
        assert session.scalars(select(Incident.title)).all() == ["Payments API returning 502s"]


def test_the_slash_command_answer_is_json_slack_can_render(incident: Scribe) -> None:
    response = incident.command("help", channel="C1")
    assert response.headers["content-type"].startswith("application/json")
    json.loads(response.body)
