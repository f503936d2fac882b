"""Never ping a crowd: text someone typed, or that was recorded, goes back to Slack inert.

Every test goes through Bolt's request path and reads what the fake Slack was sent."""

from __future__ import annotations

import json
import re

from bot.slack.background import wait_for_background
from bot.slack.safe_text import INERT_AT
from tests.conftest import Scribe
from tests.slack.test_declare import serve_channels, submission, with_announce_channel
from tests.support.action_items import (
    add_item,
    click,
    command,
    home_opened,
    outbox_settles,
    posts_with_key,
    run_jobs,
    start_incident,
    wait_for,
)
from tests.support.fake_slack import Call
from tests.support.slack_requests import event_callback
from tests.support.waiting import outbox_settled

__all__ = ["outbox_settles"]

LIVE_CROWD = re.compile(r"<!(?:here|channel|everyone|group)\b|<!subteam|(?<![\w@.])@(?:here|channel|everyone)(?!\w)")


def sent(calls: list[Call]) -> str:
    """Everything the calls carried, as one string (blocks and views included)."""
    return "\n".join(json.dumps(call.params, ensure_ascii=False) for call in calls)


def alert(scribe: Scribe, ts: str, text: str) -> None:
    event = {
        "type": "message",
        "subtype": "bot_message",
        "channel": "C1",
        "bot_id": "B0ALERT",
        "username": "Alertmanager",
        "text": text,
        "ts": ts,
    }
    assert scribe.slack.event(event_callback(event)).status == 200


def drafts_posted(scribe: Scribe, count: int) -> list[Call]:
    wait_for(lambda: len(scribe.fake.calls_to("files.completeUploadExternal")) >= count, what=f"{count} draft uploads")
    wait_for(lambda: outbox_settled(scribe.sessions), what="the outbox to record what it sent")
    return [
        call
        for call in scribe.fake.calls_to("chat.postMessage")
        if "Postmortem draft" in (call.params.get("text") or "")
    ]


def test_a_note_with_here_is_answered_without_pinging_the_channel(scribe: Scribe) -> None:
    start_incident(scribe)
    reply = command(scribe, "note Rolled back <!here> &amp; paged <!subteam^S123|@oncall>")
    assert reply["response_type"] == "in_channel"
    assert "<!here>" not in reply["text"]
    assert "<!subteam" not in reply["text"]
    assert f"> Rolled back {INERT_AT}here &amp; paged {INERT_AT}oncall" in reply["text"]


def test_a_title_typed_with_here_is_inert_in_the_start_and_status_answers(scribe: Scribe) -> None:
    reply = command(scribe, "start sev2 Issuer timeouts <!here>")
    assert "started incident" in reply["text"]
    assert f"*Issuer timeouts {INERT_AT}here* (sev2)" in reply["text"]
    again = command(scribe, "start sev2 Something else")
    status = command(scribe, "status")
    for text in (reply["text"], again["text"], status["text"]):
        assert LIVE_CROWD.search(text) is None, text


def test_a_declared_title_with_here_reaches_the_header_announcement_and_answer_inert(scribe: Scribe) -> None:
    with_announce_channel(scribe, "CANNOUNCE")
    serve_channels(scribe)
    response = scribe.slack.command("declare sev2 Issuer timeouts <!here>", channel="CGENERAL", user="U2")
    assert response.status == 200
    wait_for_background()
    answer = response.json()["text"]
    posts = {call.params["channel"]: call.params["text"] for call in scribe.fake.calls_to("chat.postMessage")}
    assert set(posts) == {"C0NEW", "CANNOUNCE"}
    for text in (answer, *posts.values()):
        assert LIVE_CROWD.search(text) is None, text
        assert f"Issuer timeouts {INERT_AT}here" in text
    assert "<@U2>" in posts["CANNOUNCE"]  # the declarer is named on purpose


def test_a_title_typed_with_here_in_the_declare_form_is_inert_too(scribe: Scribe) -> None:
    serve_channels(scribe)
    response = scribe.slack.action(submission("Issuer timeouts @here", None))
    assert response.status == 200
    wait_for_background()
    [header] = scribe.fake.calls_to("chat.postMessage")
    assert LIVE_CROWD.search(header.params["text"]) is None
    assert f"*Issuer timeouts {INERT_AT}here*" in header.params["text"]


def test_postmortem_entries_echo_their_text_without_mentions_or_double_escaping(scribe: Scribe) -> None:
    start_incident(scribe)
    for word in ("impact", "cause", "factor", "went-well", "went-poorly", "surprised"):
        reply = command(scribe, f"{word} Retries &amp; timeouts <!channel> hit <@U2|grace>")
        assert reply["response_type"] == "in_channel"
        assert f"Retries &amp; timeouts {INERT_AT}channel hit @grace" in reply["text"], reply["text"]
        assert "<@U2" not in reply["text"]
        assert "&amp;amp;" not in reply["text"]


def test_an_alert_bots_crowd_mentions_never_come_back_live_in_any_draft_version(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-29T14:00:00Z")
    start_incident(scribe, title="Checkout errors <!everyone>")
    alert(scribe, "1795960980.000100", "<!channel> FIRING checkout 5xx &gt; 2% <!subteam^S123|@oncall> <!here|here>")
    scribe.slack.message("C1", "1795961000.000100", "see <https://evil.example|https://status.example> <!here>")
    scribe.slack.event(
        event_callback(
            {
                "type": "reaction_added",
                "user": "U2",
                "reaction": "pushpin",
                "item": {"type": "message", "channel": "C1", "ts": "1795961000.000100"},
                "event_ts": "1795961001.000100",
            }
        )
    )
    command(scribe, "cause A retry storm <!channel>")
    add_item(scribe, "U2", "2026-12-04", "Page <!subteam^S123|@oncall> less &amp; better")
    command(scribe, "postmortem")
    [first] = drafts_posted(scribe, 1)
    command(scribe, "mark resolved")
    drafts = drafts_posted(scribe, 2)
    assert len(drafts) == 2
    assert first in drafts

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
    assert f"Page {INERT_AT}oncall less &amp; better" in shown
    assert "&amp;amp;" not in shown
    assert "<@U2>" in shown  # the action item's owner stays a real mention


def test_an_action_items_text_is_quieted_in_the_answer_and_the_lists(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe, title="Checkout &amp; login <!here>")
    reply = command(
        scribe, "action <@U2|grace> 2026-12-04 Ask <!subteam^S123|@search> to tune retries &amp; <!channel>"
    )
    assert "for <@U2>" in reply["text"]  # the owner is told on purpose
    assert f"> Ask {INERT_AT}search to tune retries &amp; {INERT_AT}channel" in reply["text"]
    listed = command(scribe, "actions")["text"]
    mine = command(scribe, "actions mine", user="U2")["text"]
    for text in (listed, mine):
        assert f"Ask {INERT_AT}search to tune retries &amp; {INERT_AT}channel" in text, text
        assert "&amp;amp;" not in text, text
        assert LIVE_CROWD.search(text) is None, text
        assert "<@U2>" in text
    assert f"Checkout &amp; login {INERT_AT}here" in listed


def test_an_ampersand_shows_escaped_exactly_once_in_the_dm_home_tab_and_review(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe, title="Checkout &amp; login")
    item = add_item(scribe, "U2", "2026-12-04", "Retries &amp; backoff")
    [dm] = wait_for(lambda: posts_with_key(scribe.fake, f"assign:{item}:"), what="the owner's DM")
    dm_text = dm.params["text"] + json.dumps(dm.params["blocks"], ensure_ascii=False)

    assert home_opened(scribe, "U2").status == 200
    [published] = scribe.fake.calls_to("views.publish")
    home = json.dumps(published.params["view"], ensure_ascii=False)

    click(scribe, "action_item_done", item, user="U2")
    [update] = scribe.fake.calls_to("chat.update")
    done = update.params["text"]

    command(scribe, f"reopen {item}", user="U2")
    run_jobs(scribe, "2026-12-07T09:05:00Z", review_channel="CREVIEW")
    [review] = wait_for(lambda: posts_with_key(scribe.fake, "review:"), what="the review")
    for text in (dm_text, home, done, review.params["text"]):
        assert "Retries &amp; backoff" in text, text
        assert "&amp;amp;" not in text, text
    assert "Checkout &amp; login" in dm_text
    assert "Checkout &amp; login" in home


def test_a_nudge_and_an_escalation_quote_the_item_inert(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe, title="Checkout <!here>")
    item = add_item(scribe, "U2", "2026-12-04", "Tell <!channel> &amp; fix")
    for instant in ("2026-12-02T16:00:00Z", "2026-12-07T16:00:00Z", "2026-12-10T16:00:00Z", "2026-12-14T16:00:00Z"):
        run_jobs(scribe, instant)
    wait_for(lambda: posts_with_key(scribe.fake, f"nudge:{item}:escalate:"), what="the escalation")
    nudges = posts_with_key(scribe.fake, f"nudge:{item}:")
    assert len(nudges) >= 3
    for call in nudges:
        text = call.params["text"]
        assert LIVE_CROWD.search(text) is None, text
        assert f"Tell {INERT_AT}channel &amp; fix" in text, text
        assert "&amp;amp;" not in text, text
    [escalation] = posts_with_key(scribe.fake, f"nudge:{item}:escalate:")
    assert "<@U2>" in escalation.params["text"]  # the owner is named on purpose


def test_a_repeated_root_cause_is_escaped_once_and_inert_in_the_stats_and_the_review(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-30T09:00:00Z")
    for channel in ("C1", "C2"):
        start_incident(scribe, channel=channel)
        command(scribe, "cause Retries &amp; timeouts <!channel>: the queue backed up", channel=channel)
    stats = command(scribe, "stats")["text"]
    run_jobs(scribe, "2026-12-07T09:05:00Z", review_channel="CREVIEW")
    [review] = wait_for(lambda: posts_with_key(scribe.fake, "review:"), what="the review")
    for text in (stats, review.params["text"]):
        assert f"Repeated root causes: Retries &amp; timeouts {INERT_AT}channel (2" in text, text
        assert LIVE_CROWD.search(text) is None, text
        assert "&amp;amp;" not in text, text
