"""The draft of incidents recorded through Bolt's request path, against exact expected Markdown."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.background import wait_for_background
from tests.conftest import Scribe
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import event_callback
from tests.support.waiting import outbox_settled, wait_for

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    """Set up after (so torn down before) the database and the fake Slack the listeners use."""
    yield
    wait_for_background()


def ts(iso: str, micro: int = 0) -> str:
    """The Slack ts of a UTC instant given as "2026-11-29T14:03"."""
    at = datetime.fromisoformat(iso).replace(tzinfo=UTC)
    return f"{int(at.timestamp())}.{micro:06d}"


def command(scribe: Scribe, at: str, text: str, *, user: str = "U1", channel: str = "C1") -> str:
    scribe.clock.set(at + "Z")
    response = scribe.command(text, user=user, channel=channel)
    assert response.status == 200, response.body
    return response.json()["text"]


def event(scribe: Scribe, payload: dict) -> None:
    assert scribe.slack.event(event_callback(payload)).status == 200


def uploaded_markdown(scribe: Scribe) -> str:
    """The Markdown file of the draft, once the outbox has recorded it as sent."""
    fake = scribe.fake
    wait_for(lambda: fake.calls_to("files.completeUploadExternal"), what="the draft upload")
    wait_for(lambda: outbox_settled(scribe.sessions), what="the outbox to record what it sent")
    [upload] = fake.calls_to("upload")
    return upload.params["bytes"].decode("utf-8")


def assert_golden(name: str, markdown: str) -> None:
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(markdown, encoding="utf-8")
    assert markdown == golden.read_text(encoding="utf-8")


def record_typical_sev1(scribe: Scribe) -> None:
    command(scribe, "2026-11-29T14:00", "start sev1 Payments API outage")
    parent = ts("2026-11-29T14:03", 100)
    scribe.slack.message("C1", parent, "Seeing 502s on /charge from the EU edge")
    event(
        scribe,
        {
            "type": "message",
            "subtype": "bot_message",
            "channel": "C1",
            "bot_id": "B999",
            "username": "PagerDuty",
            "text": "[FIRING] payments-api 5xx rate > 5%",
            "ts": ts("2026-11-29T14:04", 200),
        },
    )
    scribe.slack.message("C1", ts("2026-11-29T14:06", 300), "looking at the LB logs", user="U2", thread_ts=parent)
    event(
        scribe,
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": "C1",
            "ts": ts("2026-11-29T14:07", 900),
            "message": {
                "type": "message",
                "user": "U1",
                "text": "Seeing 502s on /charge from the EU edge (all EU cards)",
                "ts": parent,
                "edited": {"user": "U1", "ts": ts("2026-11-29T14:07")},
            },
        },
    )
    wrong = ts("2026-11-29T14:08", 400)
    scribe.slack.message("C1", wrong, "wrong channel, sorry", user="U2")
    event(
        scribe,
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": "C1",
            "ts": ts("2026-11-29T14:08", 950),
            "deleted_ts": wrong,
        },
    )
    found = ts("2026-11-29T14:20", 500)
    scribe.slack.message(
        "C1", found, "Cert on the EU edge expired at 14:01 <https://status.acme.io|status page>", user="U3"
    )
    event(
        scribe,
        {
            "type": "reaction_added",
            "user": "U2",
            "reaction": "pushpin",
            "item": {"type": "message", "channel": "C1", "ts": found},
            "event_ts": ts("2026-11-29T14:21"),
        },
    )
    command(scribe, "2026-11-29T14:05", "mark detected 5xx alert fired for payments-api")
    # U2 is in New York: 09:09 there is 14:09 UTC.
    command(scribe, "2026-11-29T14:12", "mark ack at 09:09", user="U2")
    command(scribe, "2026-11-29T14:30", "note Rolling back the edge config to v412", user="U2")
    command(scribe, "2026-11-29T14:43", "mark mitigated Error rate back under 0.5%", user="U2")
    command(
        scribe,
        "2026-11-29T15:00",
        "impact About 12% of card payments failed for 38 minutes (around 4,100 charges, all EU customers).",
    )
    command(
        scribe, "2026-11-29T15:01", "cause Edge certificates are renewed by hand and nothing alerts before they expire."
    )
    command(scribe, "2026-11-29T15:02", "factor The expiry alert existed only for the US edge.")
    command(scribe, "2026-11-29T15:03", "went-well The rollback runbook worked first time.", user="U2")
    command(scribe, "2026-11-29T15:04", "went-poorly <@U3> forgot to renew the EU certificate.", user="U2")


def test_a_resolved_incident_recorded_through_slack_gives_the_expected_draft(scribe: Scribe) -> None:
    record_typical_sev1(scribe)
    answer = command(scribe, "2026-11-29T15:20", "mark resolved")
    assert "Version 1 of the full postmortem draft is being posted" in answer
    assert_golden("typical_sev1", uploaded_markdown(scribe))


def test_an_incident_over_three_utc_days_shows_the_date_with_every_time(scribe: Scribe) -> None:
    command(scribe, "2026-11-29T23:35", "start sev2 Search indexing lag")
    scribe.slack.message("C1", ts("2026-11-29T23:38", 1), "index lag graph is climbing")
    command(scribe, "2026-11-29T23:40", "mark detected Index lag above 30 minutes")
    command(scribe, "2026-11-29T23:52", "mark acknowledged", user="U3")
    pinned = ts("2026-11-30T00:30", 2)
    scribe.slack.message("C1", pinned, "the reindex job is stuck on shard 7", user="U3")
    event(
        scribe,
        {
            "type": "pin_added",
            "user": "U1",
            "channel_id": "C1",
            "item": {"type": "message", "channel": "C1", "message": {"ts": pinned}},
            "event_ts": ts("2026-11-30T00:31"),
        },
    )
    command(scribe, "2026-11-30T01:10", "mark mitigated Shard 7 reindexed by hand", user="U3")
    scribe.slack.message("C1", ts("2026-12-01T01:55", 3), "lag is back under a minute for 24h", user="U3")
    answer = command(scribe, "2026-12-01T02:00", "mark resolved")
    assert "Version 1" in answer
    assert_golden("multi_day", uploaded_markdown(scribe))


def test_an_incident_without_markers_says_what_is_missing_and_still_drafts(scribe: Scribe) -> None:
    command(scribe, "2026-11-29T10:00", "start Flaky login page")
    scribe.slack.message("C1", ts("2026-11-29T10:01", 1), "login page times out for some users")
    scribe.slack.message(
        "C1", ts("2026-11-29T10:02", 2), "cannot reproduce", user="U2", thread_ts=ts("2026-11-29T10:01", 1)
    )
    command(scribe, "2026-11-29T10:15", "note Restarted the auth pods")
    answer = command(scribe, "2026-11-29T11:00", "postmortem")
    assert "Version 1 of the full postmortem draft" in answer
    assert_golden("no_markers", uploaded_markdown(scribe))


def test_an_incident_with_only_detection_and_resolution_measures_what_it_can(scribe: Scribe) -> None:
    command(scribe, "2026-11-29T08:00", "start sev2 Webhook delivery delays")
    scribe.slack.message("C1", ts("2026-11-29T08:05", 1), "webhooks are 10 minutes late")
    # U1 is in Paris: 09:02 there is 08:02 UTC.
    command(scribe, "2026-11-29T08:06", "mark detected at 09:02")
    answer = command(scribe, "2026-11-29T09:10", "mark resolved Queue drained")
    assert "Version 1" in answer
    assert_golden("some_markers", uploaded_markdown(scribe))
