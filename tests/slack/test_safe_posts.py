"""Never ping a crowd: text someone typed, or that was recorded, goes back to Slack inert.

Every test goes through Bolt's request path and reads what the fake Slack was sent."""

from __future__ import annotations

import json

from bot.slack.safe_text import INERT_AT
from tests.conftest import Scribe
from tests.support.action_items import (
    add_item,
    command,
    outbox_settles,
    start_incident,
    wait_for,
)
from tests.support.fake_slack import Call
from tests.support.slack_requests import event_callback
from tests.support.waiting import outbox_settled

__all__ = ["outbox_settles"]


def sent(calls: list[Call]) -> str:
    """Everything the calls carried, as one string (blocks and views included)."""
    return "\n".join(json.dumps(call.params, ensure_ascii=False) for call in calls)


def alert(scribe: Scribe, ts: str, text: str) -> None:
    event = {"type": "message", "subtype": "bot_message", "channel": "C1", "bot_id": "B0ALERT", "username": "Alertmanager", "text": text, "ts": ts}
    assert scribe.slack.event(event_callback(event)).status == 200


def drafts_posted(scribe: Scribe, count: int) -> list[Call]:
    wait_for(lambda: len(scribe.fake.calls_to("files.completeUploadExternal")) >= count, what=f"{count} draft uploads")
    wait_for(lambda: outbox_settled(scribe.sessions), what="the outbox to record what it sent")
    return [call for call in scribe.fake.calls_to("chat.postMessage") if "Postmortem draft" in (call.params.get("text") or "")]


def test_an_alert_bots_crowd_mentions_never_come_back_live_in_any_draft_version(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-29T14:00:00Z")
    start_incident(scribe, title="Checkout errors <!everyone>")
    alert(scribe, "1795960980.000100", "<!channel> FIRING checkout 5xx &gt; 2% <!subteam^S123|@oncall> <!here|here>")
    scribe.slack.message("C1", "1795961000.000100", "see <https://evil.example|https://status.example> <!here>")
    scribe.slack.event(event_callback({"type": "reaction_added", "user": "U2", "reaction": "pushpin", "item": {"type": "message", "channel": "C1", "ts": "1795961000.000100"}, "event_ts": "1795961001.000100"}))
    command(scribe, "cause A retry storm <!channel>")
    add_item(scribe, "U2", "2026-12-04", "Page <!subteam^S123|@oncall> less &amp; better")
    command(scribe, "postmortem")
    [first] = drafts_posted(scribe, 1)
    command(scribe, "mark resolved")
    drafts = drafts_posted(scribe, 2)
    assert len(drafts) == 2 and first in drafts

    posted = sent(scribe.fake.calls_to("chat.postMessage")) + sent(scribe.fake.calls_to("files.getUploadURLExternal"))
    posted += sent(scribe.fake.calls_to("files.completeUploadExternal"))
    uploaded = "\n".join(call.params["bytes"].decode("utf-8") for call in scribe.fake.calls_to("upload"))
    for text in (posted, uploaded):
        for live in ("<!channel>", "<!here", "<!everyone>", "<!subteam"):
            assert live not in text
    shown = sent(drafts)
    assert f"{INERT_AT}channel FIRING checkout 5xx &gt; 2% {INERT_AT}oncall {INERT_AT}here" in shown
    assert "https://status.example (<https://evil.example>)" in shown
    assert "<https://evil.example|" not in shown
    assert f"Page {INERT_AT}oncall less &amp; better" in shown and "&amp;amp;" not in shown
    assert "<@U2>" in shown  # the action item's owner stays a real mention
