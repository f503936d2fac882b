"""Every answer of running an incident within Slack's 3 s while each Web API call takes a
second (a scenario through the HTTP surface, as in test_slack_as_it_is), and everything it
owes done once afterwards."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.background import wait_for_background
from bot.slack.running_text import SNOOZE
from tests.conftest import Scribe
from tests.support.action_items import TRIGGER, run_jobs
from tests.support.fake_slack import FakeSlack
from tests.support.running import posts_keyed, say, settled
from tests.support.slack_requests import Response, event_callback

LATENCY = 1.0
ANSWER_WITHIN = 3.0


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    yield
    wait_for_background()


def answered_in_time(request: Callable[[], Response], what: str) -> Response:
    began = time.monotonic()
    response = request()
    took = time.monotonic() - began
    assert response.status == 200, response.body
    assert took < ANSWER_WITHIN, f"{what} answered after {took:.1f} s"
    return response


def test_every_answer_comes_in_time_with_a_slow_web_api_and_each_post_goes_once(scribe: Scribe) -> None:
    say(scribe, "start sev1 Checkout errors", at="2026-11-29T14:00:00Z")
    run_jobs(scribe, "2026-11-29T14:30:00Z")  # the first reminder, with its buttons
    settled(scribe)
    scribe.fake.latency = LATENCY
    scribe.clock.set("2026-11-29T14:31:00Z")
    for text in ("role comms <@U2>", "roles", "update Rolled back", "update", "catchup", "stakeholders here"):
        channel = "CEXEC" if text == "stakeholders here" else "C1"

        def typed(text: str = text, channel: str = channel) -> Response:
            return scribe.slack.command(text, user="U1", channel=channel)

        answered_in_time(typed, f"/incident {text}")
    joined = {"type": "member_joined_channel", "user": "U3", "channel": "C1", "event_ts": "1764426000.000100"}
    answered_in_time(lambda: scribe.slack.event(event_callback(joined)), "member_joined_channel")
    click = {
        "type": "block_actions",
        "team": {"id": "T111", "domain": "acme"},
        "user": {"id": "U1", "team_id": "T111"},
        "trigger_id": TRIGGER,
        "container": {"type": "message", "channel_id": "DU1", "message_ts": "1800000001.000100"},
        "response_url": scribe.fake.respond_url("reminder"),
        "actions": [{"type": "button", "action_id": SNOOZE, "block_id": "r", "value": "1", "action_ts": "1.0"}],
    }
    answered_in_time(lambda: scribe.slack.action(click), "Snooze 30 min")
    wait_for_background()
    settled(scribe)
    assert len(posts_keyed(scribe.fake, "update:")) == 1
    assert len(posts_keyed(scribe.fake, "role:")) == 1
    assert len(posts_keyed(scribe.fake, "catchup:")) == 1
    assert len(scribe.fake.calls_to("conversations.invite")) == 1
    assert len(scribe.fake.calls_to("views.open")) == 1
