"""A draft is posted once, whatever Slack's Web API does to the answer: from `mark resolved`
through the outbox to the fake Web API, and the clock's next pass."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs import run_due
from bot.services.outbox import backoff
from bot.slack.background import wait_for_background
from bot.slack.client import build_client
from storage.models import OutboxMessage
from tests.conftest import Scribe
from tests.support.fake_slack import FakeSlack

KEY = "draft:1:v1"


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    yield
    wait_for_background()


def resolve(scribe: Scribe) -> None:
    """An incident resolved by a command; its draft goes out after the answer."""
    for text, at in (
        ("start sev2 Checkout errors", "2026-11-29T14:00:00Z"),
        ("mark detected", "2026-11-29T14:05:00Z"),
        ("mark mitigated", "2026-11-29T14:30:00Z"),
    ):
        scribe.clock.set(at)
        assert scribe.slack.command(text).status == 200
    wait_for_background()
    scribe.clock.set("2026-11-29T15:00:00Z")
    assert scribe.slack.command("mark resolved").status == 200
    wait_for_background()


def drafts_in_slack(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.posted("C1") if (m.get("metadata") or {}).get("event_payload", {}).get("key") == KEY]


def the_draft_row(scribe: Scribe) -> OutboxMessage:
    with scribe.sessions() as session:
        found = session.scalars(select(OutboxMessage).where(OutboxMessage.key == KEY)).one()
        session.expunge(found)
        return found


def the_clocks_next_pass(scribe: Scribe) -> None:
    scribe.clock.now = scribe.clock.now + backoff(1)
    run_due(scribe.deps, build_client(scribe.settings.slack_bot_token, scribe.settings.slack_api_url), scribe.clock())


@pytest.mark.parametrize("how", ["connection dropped", "5xx after the post"])
def test_a_draft_whose_answer_was_lost_after_slack_posted_it_is_posted_once_and_recorded_with_slacks_ts(
    scribe: Scribe, slept: list[float], how: str
) -> None:
    if how == "connection dropped":
        scribe.fake.lose_answer("chat.postMessage")
    else:
        scribe.fake.fail("chat.postMessage", 500, after_effect=True)
    resolve(scribe)
    assert the_draft_row(scribe).state == "pending"
    the_clocks_next_pass(scribe)
    [draft] = drafts_in_slack(scribe.fake)
    row = the_draft_row(scribe)
    assert row.state == "sent"
    assert row.result == {"channel": "C1", "ts": draft["ts"]}
    assert len(scribe.fake.calls_to("chat.postMessage")) == 1
    the_clocks_next_pass(scribe)
    assert len(drafts_in_slack(scribe.fake)) == 1


def test_a_draft_answered_429_is_posted_after_the_retry_after_and_only_once(scribe: Scribe, slept: list[float]) -> None:
    scribe.fake.rate_limit("chat.postMessage", retry_after=3)
    resolve(scribe)
    [draft] = drafts_in_slack(scribe.fake)
    assert len(scribe.fake.calls_to("chat.postMessage")) == 2
    assert len(slept) == 1
    assert 3 <= slept[0] < 4
    assert the_draft_row(scribe).result == {"channel": "C1", "ts": draft["ts"]}
