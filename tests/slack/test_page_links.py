"""Links to the incident's web page from the draft post, /incident status and the App Home tab:
there when SCRIBE_PUBLIC_URL is set, absent (and every post as before) when it is not."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.background import wait_for_background
from tests.conftest import Scribe
from tests.slack.test_postmortem_posting import blocks_of, command, posted_drafts, resolved_incident, scribe_with
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import event_callback

GOLDEN = Path(__file__).parent / "golden"
PUBLIC_URL = "https://scribe.example.com/"
PAGE = "https://scribe.example.com/ui/incidents/1"


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    yield
    wait_for_background()


def assert_golden(name: str, value: Any) -> None:
    shown = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(shown, encoding="utf-8")
    assert shown == golden.read_text(encoding="utf-8")


def home_tab(scribe: Scribe) -> str:
    opened = event_callback(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1795964400.000001"}
    )
    assert scribe.slack.event(opened).status == 200
    wait_for_background()  # the tab is published after the answer
    view = scribe.fake.calls_to("views.publish")[-1].params["view"]
    return view if isinstance(view, str) else json.dumps(view)


def test_with_a_public_url_the_draft_post_links_to_the_incidents_page(scribe: Scribe) -> None:
    linked = scribe_with(scribe, public_url=PUBLIC_URL.rstrip("/"))
    resolved_incident(linked)
    command(linked, "mark resolved", at="2026-11-29T15:00:00Z")
    [message] = posted_drafts(linked)
    assert_golden("linked_draft_post", {"text": message.params["text"], "blocks": blocks_of(message)})
    assert f"<{PAGE}|The incident's page>" in json.dumps(blocks_of(message))


def test_with_a_public_url_status_links_to_the_incidents_page(scribe: Scribe) -> None:
    linked = scribe_with(scribe, public_url=PUBLIC_URL.rstrip("/"))
    resolved_incident(linked)
    status = command(linked, "status", at="2026-11-29T14:40:00Z")
    assert_golden("linked_status", {"text": status})
    assert status.endswith(f"<{PAGE}|the incident's page>")


def test_with_a_public_url_the_home_tab_links_each_incident_to_its_page(scribe: Scribe) -> None:
    linked = scribe_with(scribe, public_url=PUBLIC_URL.rstrip("/"))
    resolved_incident(linked)
    assert f"<{PAGE}|page>" in home_tab(linked)


def test_without_a_public_url_nothing_links_to_pages(scribe: Scribe) -> None:
    resolved_incident(scribe)
    command(scribe, "mark resolved", at="2026-11-29T15:00:00Z")
    [message] = posted_drafts(scribe)
    status = command(scribe, "status", at="2026-11-29T15:05:00Z")
    for shown in (json.dumps(blocks_of(message)), status, home_tab(scribe)):
        assert "/ui/incidents/" not in shown
        assert "incident's page" not in shown
