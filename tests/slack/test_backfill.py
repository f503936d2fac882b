"""Backfill through Bolt's request path: `/incident start` reads back what was said before it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.slackts import datetime_to_ts
from bot.services.drafts import draft_json
from bot.slack.background import wait_for_background
from tests.conftest import Scribe


def ts(iso: str) -> str:
    return datetime_to_ts(datetime.fromisoformat(iso.replace("Z", "+00:00")))


ALERT = {
    "type": "message",
    "subtype": "bot_message",
    "bot_id": "B0ALERT",
    "username": "Alertmanager",
    "text": "FIRING: checkout 5xx > 2%",
    "ts": ts("2026-11-29T14:40:00.000100Z"),
}
QUESTION = {
    "type": "message",
    "user": "U2",
    "text": "is it the deploy?",
    "ts": ts("2026-11-29T14:42:00.000200Z"),
    "thread_ts": ts("2026-11-29T14:42:00.000200Z"),
    "reply_count": 2,
    "latest_reply": ts("2026-11-29T14:45:00.000400Z"),
}
REPLY_1 = {
    "type": "message",
    "user": "U1",
    "text": "looks like it, v1.43 went out 14:35",
    "ts": ts("2026-11-29T14:44:00.000300Z"),
    "thread_ts": QUESTION["ts"],
}
REPLY_2: dict[str, Any] = {
    "type": "message",
    "user": "U3",
    "text": "rolling back",
    "ts": ts("2026-11-29T14:45:00.000400Z"),
    "thread_ts": QUESTION["ts"],
}
EDITED = {
    "type": "message",
    "user": "U1",
    "text": "error rate 4% and climbing",
    "ts": ts("2026-11-29T14:50:00.000500Z"),
    "edited": {"user": "U1", "ts": ts("2026-11-29T14:51:00Z")},
}
JOIN = {
    "type": "message",
    "subtype": "channel_join",
    "user": "U3",
    "text": "<@U3> has joined the channel",
    "ts": ts("2026-11-29T14:41:00Z"),
}


def serve_pages(scribe: Scribe) -> None:
    """History in two pages (newest first, as Slack sends it); the thread in two pages too."""

    def history(params: dict[str, Any]) -> dict[str, Any]:
        if params.get("latest"):  # the look further back for older threads: none here
            return {"ok": True, "messages": [], "has_more": False, "response_metadata": {"next_cursor": ""}}
        if params.get("cursor") == "page-2":
            return {"ok": True, "messages": [JOIN, ALERT], "has_more": False, "response_metadata": {"next_cursor": ""}}
        return {
            "ok": True,
            "messages": [EDITED, QUESTION],
            "has_more": True,
            "response_metadata": {"next_cursor": "page-2"},
        }

    def replies(params: dict[str, Any]) -> dict[str, Any]:
        assert params["ts"] == QUESTION["ts"]
        if params.get("cursor") == "thread-2":
            return {"ok": True, "messages": [REPLY_2], "has_more": False, "response_metadata": {"next_cursor": ""}}
        return {
            "ok": True,
            "messages": [QUESTION, REPLY_1],
            "has_more": True,
            "response_metadata": {"next_cursor": "thread-2"},
        }

    scribe.fake.responses["conversations.history"] = history
    scribe.fake.responses["conversations.replies"] = replies


def recorded(scribe: Scribe, channel: str = "C1") -> list[dict[str, Any]]:
    with scribe.sessions() as session:
        timeline = draft_json(session, channel, now=scribe.clock(), settings=scribe.settings)["timeline"]
    return [entry for entry in timeline if entry["kind"] == "message"]


def test_start_records_what_was_said_before_it_across_pages_threads_and_a_rate_limit(scribe: Scribe) -> None:
    serve_pages(scribe)
    scribe.fake.fail("conversations.history", 429, headers={"Retry-After": "1"}, times=1)
    response = scribe.command("start sev2 Checkout 5xx", channel="C1")
    assert response.status == 200
    assert "started incident" in response.json()["text"]
    wait_for_background()

    assert [(m["at"], m["text"]) for m in recorded(scribe)] == [
        ("2026-11-29T14:40:00.000100Z", "FIRING: checkout 5xx > 2%"),
        ("2026-11-29T14:42:00.000200Z", "is it the deploy?"),
        ("2026-11-29T14:44:00.000300Z", "looks like it, v1.43 went out 14:35"),
        ("2026-11-29T14:45:00.000400Z", "rolling back"),
        ("2026-11-29T14:50:00.000500Z", "error rate 4% and climbing"),
    ]
    by_text = {m["text"]: m for m in recorded(scribe)}
    assert by_text["FIRING: checkout 5xx > 2%"]["bot"] == "Alertmanager"
    assert by_text["rolling back"]["thread_ts"] == QUESTION["ts"]
    assert by_text["error rate 4% and climbing"]["edited_at"] == "2026-11-29T14:51:00Z"

    history_calls = scribe.fake.calls_to("conversations.history")
    assert len(history_calls) == 4  # the 429, its retry after Retry-After, page 2, then older threads
    assert history_calls[0].params["oldest"] == ts("2026-11-28T15:00:00Z")  # the last 24 hours
    assert history_calls[1].params.get("cursor") is None
    assert history_calls[2].params["cursor"] == "page-2"
    assert (history_calls[3].params["oldest"], history_calls[3].params["latest"]) == (
        ts("2026-11-21T15:00:00Z"),
        ts("2026-11-28T15:00:00Z"),
    )
    assert [c.params.get("cursor") for c in scribe.fake.calls_to("conversations.replies")] == [None, "thread-2"]
    [told] = scribe.fake.calls_to("response_url")  # to the starter alone, through the command's response_url
    assert told.params["response_type"] == "ephemeral"
    assert "Recorded 5 earlier messages" in told.params["text"]


def test_backfilled_and_live_messages_meet_without_duplicates_and_a_second_start_adds_nothing(scribe: Scribe) -> None:
    serve_pages(scribe)
    assert scribe.command("start sev2 Checkout 5xx", channel="C1").status == 200
    # The same alert arrives live too, while (or after) the backfill reads it.
    assert scribe.slack.message("C1", REPLY_2["ts"], "rolling back", user="U3", thread_ts=QUESTION["ts"]).status == 200
    assert scribe.slack.message("C1", ts("2026-11-29T15:00:00.000900Z"), "rollback done").status == 200
    wait_for_background()
    first = recorded(scribe)

    assert scribe.command("start sev2 Checkout 5xx --since 2h ago", channel="C1").status == 200
    wait_for_background()
    assert recorded(scribe) == first
    assert [m["text"] for m in first] == [
        "FIRING: checkout 5xx > 2%",
        "is it the deploy?",
        "looks like it, v1.43 went out 14:35",
        "rolling back",
        "error rate 4% and climbing",
        "rollback done",
    ]
    told = [c for c in scribe.fake.calls_to("response_url") if "earlier" in c.params["text"]]
    assert len(told) == 1  # nothing new the second time: nothing said


def test_since_is_read_in_the_starters_timezone(scribe: Scribe) -> None:
    serve_pages(scribe)
    # U1 is in Europe/Paris: 14:00 there is 13:00 UTC.
    assert scribe.command("start Checkout 5xx --since 14:00", channel="C1", user="U1").status == 200
    wait_for_background()
    assert scribe.fake.calls_to("conversations.history")[0].params["oldest"] == ts("2026-11-29T13:00:00Z")
    with scribe.sessions() as session:
        assert (
            draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)["incident"]["title"]
            == "Checkout 5xx"
        )


def test_an_unreadable_since_is_refused_before_anything_starts(scribe: Scribe) -> None:
    response = scribe.command("start Checkout 5xx --since", channel="C1")
    assert "`--since` needs a time" in response.json()["text"]
    assert scribe.fake.calls_to("conversations.history") == []


def test_a_channel_the_bot_is_not_in_is_joined_then_read(scribe: Scribe) -> None:
    serve_pages(scribe)
    scribe.fake.fail("conversations.history", 200, body={"ok": False, "error": "not_in_channel"})
    assert scribe.command("start Checkout 5xx", channel="C1").status == 200
    wait_for_background()
    assert [c.params["channel"] for c in scribe.fake.calls_to("conversations.join")] == ["C1"]
    assert len(recorded(scribe)) == 5


def test_replies_in_the_window_to_a_thread_that_started_before_it_are_recorded_without_the_old_parent(
    scribe: Scribe,
) -> None:
    old_parent = {
        "type": "message",
        "user": "U2",
        "text": "deploy v1.42 (last week)",
        "ts": ts("2026-11-27T09:00:00.000100Z"),
        "thread_ts": ts("2026-11-27T09:00:00.000100Z"),
        "reply_count": 2,
        "latest_reply": ts("2026-11-29T14:30:00.000300Z"),
    }
    quiet_parent = {
        **old_parent,
        "text": "a thread that went quiet",
        "ts": ts("2026-11-26T09:00:00.000100Z"),
        "thread_ts": ts("2026-11-26T09:00:00.000100Z"),
        "latest_reply": ts("2026-11-26T10:00:00Z"),
    }
    old_reply = {
        "type": "message",
        "user": "U1",
        "text": "looks fine",
        "ts": ts("2026-11-27T10:00:00.000200Z"),
        "thread_ts": old_parent["ts"],
    }
    new_reply = {
        "type": "message",
        "user": "U3",
        "text": "this deploy is what broke checkout",
        "ts": ts("2026-11-29T14:30:00.000300Z"),
        "thread_ts": old_parent["ts"],
    }

    def history(params: dict[str, Any]) -> dict[str, Any]:
        messages = [old_parent, quiet_parent] if params.get("latest") else [ALERT]
        return {"ok": True, "messages": messages, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def replies(params: dict[str, Any]) -> dict[str, Any]:
        assert params["ts"] == old_parent["ts"], "only threads still active in the window are opened"
        return {
            "ok": True,
            "messages": [old_parent, old_reply, new_reply],
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }

    scribe.fake.responses["conversations.history"] = history
    scribe.fake.responses["conversations.replies"] = replies
    assert scribe.command("start sev2 Checkout 5xx --since 2026-11-29 14:00 UTC", channel="C1").status == 200
    wait_for_background()

    assert [m["text"] for m in recorded(scribe)] == ["this deploy is what broke checkout", "FIRING: checkout 5xx > 2%"]
    assert recorded(scribe)[0]["thread_ts"] == old_parent["ts"]
