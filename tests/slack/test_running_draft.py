"""Roles and status updates in the draft: the JSON keys, the Summary, the cadence in
"What went well / poorly" — recorded through Bolt's request path, against exact expected Markdown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.services.drafts import draft_json
from bot.slack.background import wait_for_background
from tests.conftest import Scribe
from tests.slack.test_postmortem_golden import assert_golden, uploaded_markdown
from tests.support.fake_slack import FakeSlack
from tests.support.running import say


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    yield
    wait_for_background()


def run_the_incident(scribe: Scribe) -> None:
    say(scribe, "start sev1 Payments API outage", at="2026-11-29T14:00:00Z")
    say(scribe, "mark detected at 14:02 UTC", at="2026-11-29T14:03:00Z")
    say(scribe, "role comms <@U2>", at="2026-11-29T14:04:00Z")
    say(scribe, "role commander <@U3>", at="2026-11-29T14:05:00Z")
    say(scribe, "update Investigating 502s on /charge", at="2026-11-29T14:15:00Z", user="U2")
    say(scribe, "update Cause found: expired EU edge cert; renewing", at="2026-11-29T14:40:00Z", user="U2")
    say(scribe, "mark mitigated", at="2026-11-29T14:50:00Z")


def test_the_json_draft_names_the_roles_and_lists_the_updates_also_as_notes(scribe: Scribe) -> None:
    run_the_incident(scribe)
    with scribe.sessions() as session:
        record = draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)
    assert record["roles"] == {"commander": "U3", "comms": "U2"}
    assert record["updates"] == [
        {"at": "2026-11-29T14:15:00Z", "user": "U2", "text": "Investigating 502s on /charge"},
        {"at": "2026-11-29T14:40:00Z", "user": "U2", "text": "Cause found: expired EU edge cert; renewing"},
    ]
    notes = [(e["at"], e["text"]) for e in record["timeline"] if e["kind"] == "note"]
    assert notes == [
        ("2026-11-29T14:04:00Z", "Communications lead: <@U2>"),
        ("2026-11-29T14:05:00Z", "Incident commander: <@U3>, taking over from <@U1>"),
        ("2026-11-29T14:15:00Z", "Status update: Investigating 502s on /charge"),
        ("2026-11-29T14:40:00Z", "Status update: Cause found: expired EU edge cert; renewing"),
    ]


def test_a_cadence_kept_is_what_went_well(scribe: Scribe) -> None:
    run_the_incident(scribe)
    say(scribe, "update Mitigated; watching", at="2026-11-29T15:05:00Z", user="U2")
    say(scribe, "mark resolved", at="2026-11-29T15:20:00Z", user="U3")
    assert_golden("run_with_roles_and_updates", uploaded_markdown(scribe))


def test_a_cadence_missed_is_what_went_poorly_with_the_longest_gap(scribe: Scribe) -> None:
    run_the_incident(scribe)
    with scribe.sessions() as session:
        sections = draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)["sections"]
    assert sections["went_well"] == [  # start → 14:15 → 14:40 → 14:50 (now): within the 30m target
        "2 status updates posted; the longest stretch without one was 25m, against a target of 30m."
    ]
    assert sections["went_poorly"] == []
    scribe.clock.set("2026-11-29T15:30:00Z")
    with scribe.sessions() as session:
        sections = draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)["sections"]
    assert sections["went_poorly"] == [
        "2 status updates posted; the longest stretch without one was 50m, against a target of 30m."
    ]
