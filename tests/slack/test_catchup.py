"""`/incident catchup` and the catch-up DM for whoever joins an incident channel (once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.background import wait_for_background
from tests.conftest import Scribe
from tests.slack.test_postmortem_posting import scribe_with
from tests.support.action_items import run_jobs
from tests.support.fake_slack import FakeSlack
from tests.support.running import posts_keyed, say, settled
from tests.support.slack_requests import event_callback

PD_URL = "https://acme.pagerduty.com/incidents/Q2K7ABCXYZ1234"


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    yield
    wait_for_background()


def fought(scribe: Scribe) -> None:
    """An incident with a bit of everything in its record."""
    say(scribe, "start sev1 Checkout errors in eu-west", at="2026-11-29T14:00:00Z")
    say(scribe, "mark detected at 14:05 UTC pager", at="2026-11-29T14:06:00Z")
    say(scribe, "role comms <@U2>", at="2026-11-29T14:07:00Z")
    say(scribe, f"link {PD_URL}", at="2026-11-29T14:08:00Z")
    say(scribe, "note Saw 5xx on the eu-west pool", at="2026-11-29T14:10:00Z")
    say(scribe, "update Rolling back v1.43", at="2026-11-29T14:20:00Z", user="U2")
    say(scribe, "note Failover to the standby pool", at="2026-11-29T14:25:00Z")
    say(scribe, "mark mitigated", at="2026-11-29T14:30:00Z")
    say(scribe, "action <@U3> 2026-12-04 Alert on pool saturation", at="2026-11-29T14:31:00Z")
    settled(scribe)


def joined(scribe: Scribe, user: str, channel: str = "C1", ts: str = "1764425000.000100") -> None:
    event = {"type": "member_joined_channel", "user": user, "channel": channel, "team": "T111", "event_ts": ts}
    assert scribe.slack.event(event_callback(event)).status == 200
    wait_for_background()


def test_catchup_answers_privately_with_the_incident_so_far(scribe: Scribe) -> None:
    ours = scribe_with(scribe, public_url="https://scribe.example.com")
    fought(ours)
    reply = say(ours, "catchup", at="2026-11-29T14:40:00Z", user="U3")
    assert reply.get("response_type") != "in_channel"
    lines = reply["text"].split("\n")
    assert lines[0] == ":books: *Catch-up: Checkout errors in eu-west* (sev1) — active"
    assert lines[1] == "Started 14:00 UTC · Detected 14:05 · Acknowledged — · Mitigated 14:30 · Resolved —"
    assert lines[2] == "*Roles:* Incident commander <@U1> · Communications lead <@U2> · Scribe —"
    assert lines[3] == "*Last update* (14:20 UTC, <@U2>): Rolling back v1.43"
    assert lines[4:7] == [
        "*Since then:*",
        "• 14:25 UTC note: Failover to the standby pool",
        "• 14:30 UTC Mitigated",
    ]
    assert lines[7] == f"*Alerts:* {PD_URL}"
    assert lines[8:10] == ["*Open action items* (1):", "• #1 Alert on pool saturation (@Radia, due 2026-12-04)"]
    assert lines[10] == "The whole record: <https://scribe.example.com/ui/incidents/1|the incident page>"


def test_without_an_update_the_catchup_says_so_and_lists_the_key_events(scribe: Scribe) -> None:
    say(scribe, "start sev2 Search is slow", at="2026-11-29T14:00:00Z")
    say(scribe, "note Index rebuild running", at="2026-11-29T14:10:00Z")
    text = say(scribe, "catchup", at="2026-11-29T14:12:00Z")["text"]
    assert "*Last update:* none yet — `/incident update TEXT`" in text
    assert "*Key events:*\n• 14:10 UTC note: Index rebuild running" in text
    assert text.endswith("`/incident status` for the phases")


def test_a_long_record_stays_short_and_under_slacks_limits(scribe: Scribe) -> None:
    say(scribe, "start sev1 " + "T&" * 99, at="2026-11-29T14:00:00Z")
    for minute in range(10, 40):
        say(scribe, f"note {minute} " + "<&>" * 600, at=f"2026-11-29T14:{minute}:00Z")
    text = say(scribe, "catchup", at="2026-11-29T14:45:00Z")["text"]
    assert len(text) <= 3000
    assert "_(25 earlier not shown)_" in text
    assert "_…more in the record_" in text
    assert text.count("\n• ") <= 5


def test_whatever_the_record_says_the_catchup_pings_only_role_holders(scribe: Scribe) -> None:
    say(scribe, "start sev1 <!here> checkout", at="2026-11-29T14:00:00Z")
    say(scribe, "note <!channel> ask <@U3> and <!subteam^S1|@oncall>", at="2026-11-29T14:05:00Z")
    text = say(scribe, "catchup", at="2026-11-29T14:06:00Z")["text"]
    assert "<!" not in text
    assert "<@U3>" not in text
    assert "<@U1>" in text


def test_catchup_outside_an_incident_channel_is_refused(scribe: Scribe) -> None:
    assert "not an incident channel" in say(scribe, "catchup", channel="CRANDOM")["text"]


def test_whoever_joins_the_channel_gets_the_catchup_by_dm_once(scribe: Scribe) -> None:
    fought(scribe)
    scribe.clock.set("2026-11-29T14:40:00Z")
    joined(scribe, "U3")
    joined(scribe, "U3", ts="1764425900.000100")  # left and came back
    settled(scribe)
    [dm] = posts_keyed(scribe.fake, "catchup:")
    assert dm.params["channel"] == "DU3"
    assert dm.params["text"].startswith(":books: *Catch-up: Checkout errors in eu-west* (sev1)")


def test_no_catchup_for_the_bot_the_starter_or_a_channel_without_an_open_incident(scribe: Scribe) -> None:
    say(scribe, "start sev1 Checkout errors", at="2026-11-29T14:00:00Z")
    joined(scribe, "UBOT")
    joined(scribe, "U1")
    joined(scribe, "U2", channel="CRANDOM")
    say(scribe, "mark resolved", at="2026-11-29T14:30:00Z")
    say(scribe, "close", at="2026-11-29T14:31:00Z")
    joined(scribe, "U3")
    settled(scribe)
    assert posts_keyed(scribe.fake, "catchup:") == []


def test_a_catchup_dm_whose_answer_was_lost_is_not_sent_again(scribe: Scribe) -> None:
    say(scribe, "start sev1 Checkout errors", at="2026-11-29T14:00:00Z")
    settled(scribe)
    scribe.fake.lose_answer("chat.postMessage")
    joined(scribe, "U2")
    run_jobs(scribe, "2026-11-29T14:30:00Z")
    settled(scribe)
    assert len(posts_keyed(scribe.fake, "catchup:")) == 1
