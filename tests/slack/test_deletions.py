"""Deleted means gone: a deleted thread parent (a tombstone) loses its text and files for good,
live, backfilled and imported, and keeps its replies; nothing that arrives later brings it back."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.slackts import datetime_to_ts
from bot.services.drafts import draft_json, draft_markdown
from bot.slack.background import wait_for_background
from tests.conftest import Scribe
from tests.support.slack_requests import event_callback


def ts(iso: str) -> str:
    return datetime_to_ts(datetime.fromisoformat(iso.replace("Z", "+00:00")))


PARENT_TS = ts("2026-11-29T14:40:00.000100Z")
REPLY_1_TS = ts("2026-11-29T14:41:00.000200Z")
REPLY_2_TS = ts("2026-11-29T14:42:00.000300Z")
FIRST_EDIT_TS = ts("2026-11-29T14:43:00Z")
DELETED_AT_TS = ts("2026-11-29T14:45:00.000900Z")
LATER_EDIT_TS = ts("2026-11-29T14:46:00Z")
REPLY_AGAIN_TS = ts("2026-11-29T14:47:00.000900Z")
SECRET = "the db password is hunter2, try it on the replica"
FILE = {"id": "F1", "name": "creds.txt", "permalink": "https://acme.slack.com/files/U1/F1/creds.txt"}
PARENT = {"type": "message", "user": "U1", "text": SECRET, "ts": PARENT_TS, "files": [FILE]}


def tombstone(*, event_ts: str = DELETED_AT_TS) -> dict[str, Any]:
    """A thread parent with replies deleted, in the shape Slack sends it: a ``message_changed``
    whose new message is a ``tombstone`` posted by Slackbot, the original in ``previous_message``."""
    return event_callback(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": "C1",
            "ts": event_ts,
            "event_ts": event_ts,
            "channel_type": "channel",
            "message": {
                "type": "message",
                "subtype": "tombstone",
                "text": "This message was deleted.",
                "user": "USLACKBOT",
                "hidden": True,
                "ts": PARENT_TS,
                "thread_ts": PARENT_TS,
                "parent_user_id": "U1",
                "reply_count": 2,
                "reply_users_count": 2,
                "latest_reply": REPLY_2_TS,
                "reply_users": ["U2", "U3"],
                "is_locked": False,
            },
            "previous_message": {**PARENT, "thread_ts": PARENT_TS, "reply_count": 2, "latest_reply": REPLY_2_TS},
        }
    )


def edit(text: str, *, edited_ts: str) -> dict[str, Any]:
    return event_callback(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": "C1",
            "ts": edited_ts,
            "event_ts": edited_ts,
            "message": {
                "type": "message",
                "user": "U1",
                "text": text,
                "ts": PARENT_TS,
                "thread_ts": PARENT_TS,
                "edited": {"user": "U1", "ts": edited_ts},
            },
        }
    )


def start(scribe: Scribe, *words: str) -> None:
    response = scribe.slack.command(" ".join(("start sev2 Checkout errors", *words)), channel="C1")
    assert response.status == 200, response.body
    wait_for_background()


def post_thread(scribe: Scribe) -> None:
    assert scribe.slack.event(event_callback({**PARENT, "channel": "C1", "event_ts": PARENT_TS})).status == 200
    assert scribe.slack.message("C1", REPLY_1_TS, "which replica?", user="U2", thread_ts=PARENT_TS).status == 200
    assert scribe.slack.message("C1", REPLY_2_TS, "rotating it now", user="U3", thread_ts=PARENT_TS).status == 200


def messages(scribe: Scribe) -> list[dict[str, Any]]:
    with scribe.sessions() as session:
        timeline = draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings)["timeline"]
    return [entry for entry in timeline if entry["kind"] == "message"]


def markdown(scribe: Scribe) -> str:
    with scribe.sessions() as session:
        return draft_markdown(session, "C1", now=scribe.clock(), settings=scribe.settings)


def assert_parent_gone_and_replies_kept(scribe: Scribe) -> None:
    parent, *replies = messages(scribe)
    assert parent["ts"] == PARENT_TS
    assert parent["deleted"] is True
    assert parent["text"] is None
    assert "files" not in parent
    assert [(r["text"], r["thread_ts"]) for r in replies] == [
        ("which replica?", PARENT_TS),
        ("rotating it now", PARENT_TS),
    ]
    document = markdown(scribe)
    assert "hunter2" not in document
    assert "creds.txt" not in document
    assert "This message was deleted." not in document
    transcript = document[document.index("which replica?") - 200 :]
    assert "_(message deleted)_" in transcript  # the parent stays as a place for its replies
    assert "  - " in transcript.split("which replica?")[0].splitlines()[-1]  # the reply still sits under it


def test_deleting_a_thread_parent_with_replies_removes_its_text_and_files_and_keeps_the_replies(scribe: Scribe) -> None:
    start(scribe)
    post_thread(scribe)
    assert messages(scribe)[0]["text"] == SECRET

    assert scribe.slack.event(tombstone()).status == 200

    assert_parent_gone_and_replies_kept(scribe)


def test_no_edit_after_a_tombstone_brings_the_text_back_whatever_order_it_arrives_in(scribe: Scribe) -> None:
    start(scribe)
    post_thread(scribe)
    scribe.slack.event(edit("the db password is hunter2 (edited)", edited_ts=FIRST_EDIT_TS))
    scribe.slack.event(tombstone(event_ts=DELETED_AT_TS))

    later_edit = edit("the db password is hunter3", edited_ts=LATER_EDIT_TS)
    older_edit = edit("the db password is hunter2 (edited)", edited_ts=FIRST_EDIT_TS)
    assert scribe.slack.event(later_edit).status == 200
    assert scribe.slack.event(older_edit, retry_num=1).status == 200
    assert (
        scribe.slack.event(event_callback({**PARENT, "channel": "C1", "event_ts": PARENT_TS}), retry_num=2).status
        == 200
    )
    assert scribe.slack.event(tombstone(event_ts=REPLY_AGAIN_TS)).status == 200  # a new reply re-sends it

    assert_parent_gone_and_replies_kept(scribe)
    assert "hunter3" not in markdown(scribe)


def test_a_tombstone_that_arrives_before_its_message_leaves_the_message_deleted(scribe: Scribe) -> None:
    start(scribe)
    assert scribe.slack.event(tombstone()).status == 200
    post_thread(scribe)

    assert_parent_gone_and_replies_kept(scribe)


def test_edits_arriving_after_a_plain_deletion_never_bring_the_text_back(scribe: Scribe) -> None:
    start(scribe)
    scribe.slack.message("C1", PARENT_TS, SECRET)
    deletion = event_callback(
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": "C1",
            "ts": DELETED_AT_TS,
            "event_ts": DELETED_AT_TS,
            "deleted_ts": PARENT_TS,
            "previous_message": {"type": "message", "user": "U1", "text": SECRET, "ts": PARENT_TS},
        }
    )
    scribe.slack.event(deletion)
    scribe.slack.event(edit("the db password is hunter3", edited_ts=LATER_EDIT_TS))
    scribe.slack.event(edit("the db password is hunter2 (edited)", edited_ts=FIRST_EDIT_TS))

    [entry] = messages(scribe)
    assert entry["deleted"] is True
    assert entry["text"] is None
    assert "hunter" not in markdown(scribe)


def serve_history(scribe: Scribe, parent: dict[str, Any]) -> None:
    """The channel as ``conversations.history`` and ``.replies`` show it now."""
    thread = {**parent, "thread_ts": PARENT_TS, "reply_count": 2, "latest_reply": REPLY_2_TS}
    replies = [
        {"type": "message", "user": "U2", "text": "which replica?", "ts": REPLY_1_TS, "thread_ts": PARENT_TS},
        {"type": "message", "user": "U3", "text": "rotating it now", "ts": REPLY_2_TS, "thread_ts": PARENT_TS},
    ]

    def history(params: dict[str, Any]) -> dict[str, Any]:
        found = [] if params.get("latest") else [thread]
        return {"ok": True, "messages": found, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def thread_page(params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "messages": [thread, *replies], "has_more": False, "response_metadata": {"next_cursor": ""}}

    scribe.fake.responses["conversations.history"] = history
    scribe.fake.responses["conversations.replies"] = thread_page


def slack_tombstone() -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "tombstone",
        "text": "This message was deleted.",
        "user": "USLACKBOT",
        "hidden": True,
        "ts": PARENT_TS,
    }


def test_a_backfilled_tombstone_removes_the_text_recorded_live_and_keeps_the_replies(scribe: Scribe) -> None:
    start(scribe)
    post_thread(scribe)
    serve_history(scribe, slack_tombstone())

    start(scribe, "--since 1h ago")  # read the channel back again

    assert_parent_gone_and_replies_kept(scribe)


def test_a_backfill_that_starts_on_a_tombstone_records_the_replies_and_never_the_text(scribe: Scribe) -> None:
    serve_history(scribe, slack_tombstone())
    start(scribe)
    assert (
        scribe.slack.event(event_callback({**PARENT, "channel": "C1", "event_ts": PARENT_TS}), retry_num=3).status
        == 200
    )

    parent, *replies = messages(scribe)
    assert parent["deleted"] is True
    assert parent["text"] is None
    assert [r["text"] for r in replies] == ["which replica?", "rotating it now"]


def test_a_backfill_of_the_version_before_the_deletion_cannot_bring_the_text_back(scribe: Scribe) -> None:
    start(scribe)
    post_thread(scribe)
    scribe.slack.event(tombstone())
    serve_history(
        scribe, {**PARENT, "text": "the db password is hunter2 (edited)", "edited": {"user": "U1", "ts": FIRST_EDIT_TS}}
    )

    start(scribe, "--since 1h ago")

    assert_parent_gone_and_replies_kept(scribe)


def test_a_real_message_changed_delivery_whose_message_is_a_tombstone_is_a_deletion(
    scribe: Scribe, fixtures_dir: Path
) -> None:
    """Slack's captured edit delivery, its message replaced by the tombstone Slack documents."""
    payload = json.loads((fixtures_dir / "slack-payloads" / "captured_messageChange.json").read_text())
    event = payload["event"]
    team, channel, ts = payload["authorizations"][0]["team_id"], event["channel"], event["message"]["ts"]
    assert scribe.slack.command("start sev2 Checkout errors", channel=channel, team_id=team).status == 200
    scribe.slack.event(event_callback({**event["previous_message"], "channel": channel, "event_ts": ts}, team_id=team))
    event["message"] = {
        "type": "message",
        "subtype": "tombstone",
        "text": "This message was deleted.",
        "user": "USLACKBOT",
        "hidden": True,
        "ts": ts,
        "thread_ts": ts,
        "reply_count": 1,
        "latest_reply": event["ts"],
    }

    assert scribe.slack.event(payload).status == 200

    with scribe.sessions() as session:
        [entry] = [
            e
            for e in draft_json(session, channel, now=scribe.clock(), settings=scribe.settings)["timeline"]
            if e["kind"] == "message"
        ]
    assert entry["ts"] == ts
    assert entry["deleted"] is True
    assert entry["text"] is None
