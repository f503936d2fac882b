"""/incident star | unstar | hide | unhide ENTRY through Bolt's request path, and the draft they change."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.services.drafts import draft_json
from bot.slack.background import wait_for_background
from storage.curation import TimelineChange
from tests.conftest import Scribe
from tests.slack.test_postmortem_golden import assert_golden, command, record_typical_sev1, ts, uploaded_markdown
from tests.support.fake_slack import FakeSlack

REPLY = ts("2026-11-29T14:06", 300)
"""U2's thread reply "looking at the LB logs": not a key event until starred."""
ALERT = ts("2026-11-29T14:04", 200)
LINK = f"https://acme.slack.com/archives/C1/p{REPLY.replace('.', '')}?thread_ts={ts('2026-11-29T14:03', 100)}&cid=C1"


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    yield
    wait_for_background()


def changes(scribe: Scribe) -> int:
    with scribe.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(TimelineChange)) or 0)


def answer_of(scribe: Scribe, text: str, *, user: str = "U2", at: str = "2026-11-29T15:10") -> dict:
    scribe.clock.set(at + "Z")
    response = scribe.command(text, user=user, channel="C1")
    assert response.status == 200, response.body
    return response.json()


def test_stars_and_hides_typed_in_slack_change_the_next_draft(scribe: Scribe) -> None:
    record_typical_sev1(scribe)
    starred = answer_of(scribe, f"star <{LINK}>")
    assert starred["response_type"] == "in_channel"
    assert starred["text"].startswith(":star: <@U2> starred this as a key event")
    assert "> looking at the LB logs" in starred["text"]
    hidden = answer_of(scribe, f"hide msg:{ALERT}", user="U1", at="2026-11-29T15:11")
    assert hidden["response_type"] == "in_channel"
    assert f"`/incident unhide msg:{ALERT}` brings it back" in hidden["text"]
    answer = command(scribe, "2026-11-29T15:20", "mark resolved")
    assert "Version 1" in answer
    assert_golden("curated_sev1", uploaded_markdown(scribe))


def test_starring_again_changes_nothing_and_says_so_only_to_the_typist(scribe: Scribe) -> None:
    record_typical_sev1(scribe)
    answer_of(scribe, f"star {REPLY}")
    again = answer_of(scribe, f"star msg:{REPLY}", user="U1")
    assert again["response_type"] == "ephemeral"
    assert again["text"].startswith("That entry is starred already; nothing changed.")
    assert changes(scribe) == 1
    unstarred = answer_of(scribe, f"unstar {REPLY}", user="U1", at="2026-11-29T15:12")
    assert unstarred["text"].startswith(":heavy_minus_sign: <@U1> took the star off")
    with scribe.sessions() as session:
        timeline = draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)["timeline"]
    [entry] = [item for item in timeline if item.get("entry") == f"msg:{REPLY}"]
    assert "curation" not in entry  # starred, then unstarred: nothing in effect
    assert changes(scribe) == 2


@pytest.mark.parametrize(
    ("typed", "user", "refusal"),
    [
        ("star", "U2", "Name the entry"),
        (f"star {REPLY} and more", "U2", "Name one entry only"),
        ("hide yesterday", "U2", "couldn't tell which entry"),
        (f"hide https://acme.slack.com/archives/C9/p{REPLY.replace('.', '')}", "U2", "another channel"),
        ("hide 1700000000.000001", "U2", "not in this incident's record"),
        ("star phase:detected", "U2", "marking it again"),
        (f"hide {REPLY}", "U9", "Only people who took part in this incident"),
    ],
)
def test_a_curation_that_cannot_be_done_is_explained_privately_and_writes_nothing(
    scribe: Scribe, typed: str, user: str, refusal: str
) -> None:
    record_typical_sev1(scribe)
    body = answer_of(scribe, typed, user=user)
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith(":warning:")
    assert refusal in body["text"]
    assert changes(scribe) == 0


def test_curating_outside_an_incident_channel_says_how_to_start_one(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-29T15:10:00Z")
    body = scribe.command(f"star {REPLY}", channel="C7", user="U1").json()
    assert "not an incident channel yet" in body["text"]


def test_a_recorded_message_quoted_back_cannot_ping_the_channel(scribe: Scribe) -> None:
    command(scribe, "2026-11-29T14:00", "start sev2 Checkout errors")
    loud = ts("2026-11-29T14:01", 7)
    scribe.slack.message("C1", loud, "<!channel> checkout is down <@U3>", user="U2")
    body = answer_of(scribe, f"star {loud}")
    assert "<!channel>" not in body["text"]
    assert "<@U3>" not in body["text"]
    assert "> @\u2060channel checkout is down @U3" in body["text"]  # shown, made inert


def test_curation_is_answered_without_waiting_on_a_slow_slack(scribe: Scribe) -> None:
    """Every Web API call takes 2 s here: a call on the answer's path would show in its time."""
    record_typical_sev1(scribe)
    wait_for_background()
    scribe.fake.latency = 2.0
    scribe.clock.set("2026-11-29T15:10:00Z")
    started = time.monotonic()
    response = scribe.slack.command(f"hide {REPLY}", channel="C1", user="U2")
    took = time.monotonic() - started
    assert response.status == 200
    assert response.json()["text"].startswith(":see_no_evil: <@U2> hid this")
    assert took < 2.0, f"the answer took {took:.1f} s"
