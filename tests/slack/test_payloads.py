from datetime import UTC, datetime
from typing import Any

from bot.core.message_changes import MessageDeletion, MessagePost, NotRecorded
from bot.slack.payloads import parse_message_event, parse_stored_message, read_back


def test_a_stored_message_with_an_edited_field_is_its_edited_state() -> None:
    change = parse_stored_message(
        {
            "type": "message",
            "user": "U1",
            "text": "v2",
            "ts": "1764428400.000100",
            "edited": {"user": "U1", "ts": "1764428460.000000"},
        }
    )
    assert isinstance(change, MessagePost)
    assert change.text == "v2"
    assert change.edited_at == datetime(2025, 11, 29, 15, 1, tzinfo=UTC)


def test_a_live_message_event_is_not_an_edit_even_if_it_carries_an_edited_field() -> None:
    change = parse_message_event(
        {
            "type": "message",
            "user": "U1",
            "text": "v1",
            "ts": "1764428400.000100",
            "edited": {"ts": "1764428460.000000"},
        }
    )
    assert isinstance(change, MessagePost)
    assert change.edited_at is None


def test_a_tombstone_is_a_deletion() -> None:
    change = parse_stored_message(
        {
            "type": "message",
            "subtype": "tombstone",
            "user": "USLACKBOT",
            "text": "This message was deleted.",
            "ts": "1764428400.000100",
            "hidden": True,
        }
    )
    assert change == MessageDeletion(
        ts="1764428400.000100", deleted_at=datetime(2025, 11, 29, 15, 0, 0, 100, tzinfo=UTC)
    )


def test_joins_in_an_export_are_not_timeline_material_as_live() -> None:
    assert isinstance(
        parse_stored_message(
            {"type": "message", "subtype": "channel_join", "user": "U1", "text": "joined", "ts": "1.1"}
        ),
        NotRecorded,
    )


def test_an_alert_bot_post_with_only_attachments_is_read_from_their_fallback() -> None:
    change = parse_stored_message(
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B1",
            "text": "",
            "ts": "1.000001",
            "attachments": [{"fallback": "[FIRING] p99 > 2s"}, {"pretext": "runbook"}],
        }
    )
    assert isinstance(change, MessagePost)
    assert change.text == "[FIRING] p99 > 2s\nrunbook"


def test_an_old_export_file_share_keeps_its_single_file() -> None:
    change = parse_stored_message(
        {
            "type": "message",
            "subtype": "file_share",
            "user": "U1",
            "text": "uploaded",
            "ts": "1.000001",
            "file": {"name": "graph.png", "permalink": "https://x/f"},
        }
    )
    assert isinstance(change, MessagePost)
    assert [f.name for f in change.files] == ["graph.png"]


def test_a_live_edit_whose_new_message_is_a_tombstone_is_a_deletion_at_the_events_time() -> None:
    change = parse_message_event(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": "C1",
            "ts": "1764428460.000200",
            "event_ts": "1764428460.000200",
            "message": {
                "type": "message",
                "subtype": "tombstone",
                "user": "USLACKBOT",
                "text": "This message was deleted.",
                "hidden": True,
                "ts": "1764428400.000100",
                "thread_ts": "1764428400.000100",
                "reply_count": 2,
            },
            "previous_message": {"type": "message", "user": "U1", "text": "the secret", "ts": "1764428400.000100"},
        }
    )
    assert change == MessageDeletion(
        ts="1764428400.000100", deleted_at=datetime(2025, 11, 29, 15, 1, 0, 200, tzinfo=UTC)
    )


def test_a_history_message_is_a_thread_parent_when_it_has_replies_or_a_latest_reply() -> None:
    page: list[dict[str, Any]] = [
        {"ts": "1.000001", "reply_count": 3},
        {"ts": "2.000002"},
        {"ts": "3.000003", "thread_ts": "3.000003", "latest_reply": "4.000004"},
        {"ts": "5.000005", "thread_ts": "3.000003"},
        {"ts": "not a ts", "reply_count": 1},
    ]
    read = [read_back(message) for message in page]
    assert [message.ts for message in read if message.ts and message.has_replies] == ["1.000001", "3.000003"]
    assert read[2].latest_reply == "4.000004"
    assert read[4].ts is None
    assert isinstance(read[1].change, MessagePost)
