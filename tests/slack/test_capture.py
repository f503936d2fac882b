"""Capture through Bolt's real request path: signed events in, the record out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.slackts import ts_to_datetime
from bot.services.drafts import draft_json
from tests.conftest import Scribe
from tests.support.slack_requests import event_callback


def start(scribe: Scribe, channel: str = "C1", title: str = "Checkout errors") -> None:
    response = scribe.command(f"start sev2 {title}", channel=channel)
    assert response.status == 200, response.body


def timeline(scribe: Scribe, channel: str = "C1") -> list[dict]:
    with scribe.sessions() as session:
        return draft_json(session, channel, now=scribe.clock(), settings=scribe.settings)["timeline"]


def messages(scribe: Scribe, channel: str = "C1") -> list[dict]:
    return [entry for entry in timeline(scribe, channel) if entry["kind"] == "message"]


def test_messages_in_an_incident_channel_are_recorded_with_their_exact_utc_time(scribe: Scribe) -> None:
    start(scribe)
    response = scribe.slack.message("C1", "1764428400.000123", "db latency is climbing")
    assert response.status == 200
    [entry] = messages(scribe)
    assert entry["at"] == "2025-11-29T15:00:00.000123Z"
    assert entry["ts"] == "1764428400.000123"
    assert entry["user"] == "U1"
    assert entry["text"] == "db latency is climbing"


def test_messages_in_other_channels_are_never_stored(scribe: Scribe) -> None:
    start(scribe, channel="C1")
    assert scribe.slack.message("C2", "1764428400.000100", "lunch?").status == 200
    with pytest.raises(LookupError):
        timeline(scribe, "C2")
    assert messages(scribe, "C1") == []


def test_a_redelivered_event_is_stored_once(scribe: Scribe) -> None:
    start(scribe)
    payload = event_callback(
        {
            "type": "message",
            "channel": "C1",
            "user": "U1",
            "text": "paging db on-call",
            "ts": "1764428401.000001",
            "event_ts": "1764428401.000001",
        }
    )
    assert scribe.slack.event(payload).status == 200
    assert scribe.slack.event(payload, retry_num=1).status == 200
    assert scribe.slack.event(payload, retry_num=2).status == 200
    assert [m["text"] for m in messages(scribe)] == ["paging db on-call"]


def test_an_edit_that_arrives_before_its_message_still_ends_in_the_edited_state(scribe: Scribe) -> None:
    start(scribe)
    edit = event_callback(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": "C1",
            "ts": "1764428460.000200",
            "event_ts": "1764428460.000200",
            "message": {
                "type": "message",
                "user": "U1",
                "text": "rollback done",
                "ts": "1764428402.000002",
                "edited": {"user": "U1", "ts": "1764428460.000000"},
            },
            "previous_message": {"type": "message", "user": "U1", "text": "rollback dnoe", "ts": "1764428402.000002"},
        }
    )
    assert scribe.slack.event(edit).status == 200
    assert scribe.slack.message("C1", "1764428402.000002", "rollback dnoe").status == 200
    [entry] = messages(scribe)
    assert entry["text"] == "rollback done"
    assert entry["edited_at"] == "2025-11-29T15:01:00Z"


def test_an_older_edit_delivered_late_does_not_overwrite_a_newer_one(scribe: Scribe) -> None:
    start(scribe)
    scribe.slack.message("C1", "1764428402.000002", "v1")

    def edit(text: str, edited_ts: str) -> dict:
        return event_callback(
            {
                "type": "message",
                "subtype": "message_changed",
                "channel": "C1",
                "ts": edited_ts,
                "event_ts": edited_ts,
                "message": {
                    "type": "message",
                    "user": "U1",
                    "text": text,
                    "ts": "1764428402.000002",
                    "edited": {"user": "U1", "ts": edited_ts},
                },
            }
        )

    scribe.slack.event(edit("v3", "1764428500.000000"))
    scribe.slack.event(edit("v2", "1764428450.000000"))
    assert [m["text"] for m in messages(scribe)] == ["v3"]


def test_a_deletion_removes_the_text_and_a_late_redelivery_cannot_bring_it_back(scribe: Scribe) -> None:
    start(scribe)
    scribe.slack.message("C1", "1764428403.000003", "the password is hunter2")
    deletion = event_callback(
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": "C1",
            "ts": "1764428490.000000",
            "event_ts": "1764428490.000000",
            "deleted_ts": "1764428403.000003",
        }
    )
    assert scribe.slack.event(deletion).status == 200
    scribe.slack.message("C1", "1764428403.000003", "the password is hunter2")
    [entry] = messages(scribe)
    assert entry["text"] is None
    assert entry["deleted"] is True


def test_thread_replies_keep_their_thread(scribe: Scribe) -> None:
    start(scribe)
    scribe.slack.message("C1", "1764428404.000004", "is it the db?")
    scribe.slack.message("C1", "1764428405.000005", "yes, replica lag", thread_ts="1764428404.000004", user="U2")
    reply = messages(scribe)[1]
    assert reply["thread_ts"] == "1764428404.000004"
    assert reply["user"] == "U2"


def test_channel_joins_and_topic_changes_are_not_timeline_material(scribe: Scribe) -> None:
    start(scribe)
    scribe.slack.message("C1", "1764428406.000006", "<@U2> has joined the channel", subtype="channel_join")
    scribe.slack.message("C1", "1764428407.000007", "set the topic", subtype="channel_topic", topic="sev2")
    assert messages(scribe) == []


def test_alert_bot_posts_are_recorded_as_key_events(scribe: Scribe) -> None:
    start(scribe)
    payload = event_callback(
        {
            "type": "message",
            "subtype": "bot_message",
            "channel": "C1",
            "bot_id": "B999",
            "username": "PagerDuty",
            "text": "TRIGGERED: p99 > 2s",
            "ts": "1764428408.000008",
        }
    )
    assert scribe.slack.event(payload).status == 200
    [entry] = messages(scribe)
    assert entry["bot"] == "PagerDuty"
    assert entry["key"] is True


def test_a_pushpin_reaction_marks_a_key_event_and_removing_it_unmarks(scribe: Scribe) -> None:
    start(scribe)
    scribe.slack.message("C1", "1764428409.000009", "found it: bad config push")

    def reaction(kind: str) -> dict:
        return event_callback(
            {
                "type": kind,
                "user": "U2",
                "reaction": "pushpin",
                "item": {"type": "message", "channel": "C1", "ts": "1764428409.000009"},
                "event_ts": "1764428410.000000",
            }
        )

    scribe.slack.event(reaction("reaction_added"))
    assert messages(scribe)[0].get("key") is True
    scribe.slack.event(reaction("reaction_removed"))
    assert messages(scribe)[0].get("key") is None


def test_events_from_another_workspace_never_mix_with_this_ones_incident(scribe: Scribe) -> None:
    start(scribe, channel="C1")
    assert scribe.slack.message("C1", "1764428411.000011", "other team chatter", team_id="T999").status == 200
    assert messages(scribe) == []


FIXTURE_EXPECTATIONS = {
    "captured_app_home_opened_messages.json": None,
    "captured_botMessage.json": "stored",
    "captured_joinChannel.json": None,
    "captured_messageChange.json": "stored",
    "captured_messageExample.json": "stored",
    "captured_messageIm.json": None,
    "captured_message_deleted.json": "deleted",
    "captured_message_file_share.json": None,
    "captured_message_file_share_slack_connect.json": None,
    "captured_message_subtype_bot_message.json": "stored",
    "test_message_bot__bot_message_event_payload.json": "stored",
    "test_message_bot__classic_bot_message_event_payload.json": "stored",
    "test_message_bot__user_message_event_payload.json": "stored",
    "test_message_changed__event_payload.json": "stored",
    "test_message_deleted__event_payload.json": "deleted",
    "test_message_file_share__event_payload.json": "stored",
    "test_message_thread_broadcast__event_payload.json": "stored",
}


def test_every_fixture_payload_has_an_expectation(fixtures_dir: Path) -> None:
    assert sorted(p.name for p in (fixtures_dir / "slack-payloads").glob("*.json")) == sorted(FIXTURE_EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(FIXTURE_EXPECTATIONS))
def test_every_real_slack_payload_is_handled_as_its_subtype_demands(
    scribe: Scribe, fixtures_dir: Path, name: str
) -> None:
    payload = json.loads((fixtures_dir / "slack-payloads" / name).read_text())
    event = payload["event"]
    channel = event.get("channel")
    if isinstance(channel, str) and channel.startswith("C"):
        # Bolt scopes an event to the installation that received it: authorizations[0].team_id.
        team = (payload.get("authorizations") or [{}])[0].get("team_id") or payload["team_id"]
        _start_in(scribe, team, channel)
    response = scribe.slack.event(payload)
    assert response.status == 200, response.body
    expected = FIXTURE_EXPECTATIONS[name]
    if expected is None:
        return
    team_records = timeline(scribe, channel)
    stored = [entry for entry in team_records if entry["kind"] == "message"]
    assert len(stored) == 1
    if expected == "deleted":
        assert stored[0]["deleted"] is True
        assert stored[0]["text"] is None
    else:
        source = event.get("message", event)
        ts = source.get("ts") or event["previous_message"]["ts"]
        assert stored[0]["ts"] == ts
        assert stored[0]["at"].startswith(ts_to_datetime(ts).strftime("%Y-%m-%dT%H:%M:%S"))
        assert stored[0]["text"] == source["text"]
        if source.get("files"):
            assert stored[0]["files"]


def _start_in(scribe: Scribe, team_id: str, channel: str) -> None:
    response = scribe.command("start Fixture replay", channel=channel, team_id=team_id)
    assert response.status == 200, response.body


def test_concurrent_deliveries_and_redeliveries_store_every_message_exactly_once(scribe: Scribe) -> None:
    from concurrent.futures import ThreadPoolExecutor

    start(scribe)
    payloads = [
        event_callback(
            {
                "type": "message",
                "channel": "C1",
                "user": "U1",
                "text": f"update {i}",
                "ts": f"1764428500.{i:06d}",
                "event_ts": f"1764428500.{i:06d}",
            }
        )
        for i in range(60)
    ]
    deliveries = payloads + payloads[::3]  # Slack retrying every third one
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda p: scribe.slack.event(p).status, deliveries))
    assert set(statuses) == {200}
    assert sorted(m["text"] for m in messages(scribe)) == sorted(f"update {i}" for i in range(60))


def test_pinning_a_message_marks_a_key_event_and_unpinning_unmarks(scribe: Scribe) -> None:
    start(scribe)
    scribe.slack.message("C1", "1764428412.000012", "mitigation: failover to replica")

    def pin(kind: str, user: str) -> dict:
        return event_callback(
            {
                "type": kind,
                "user": user,
                "channel_id": "C1",
                "item": {
                    "type": "message",
                    "channel": "C1",
                    "message": {"ts": "1764428412.000012", "text": "mitigation: failover to replica"},
                },
                "event_ts": "1764428413.000000",
            }
        )

    scribe.slack.event(pin("pin_added", "U1"))
    assert messages(scribe)[0].get("key") is True
    scribe.slack.event(pin("pin_removed", "U2"))  # anyone may unpin what someone else pinned
    assert messages(scribe)[0].get("key") is None


def test_me_messages_and_thread_broadcasts_are_recorded_like_any_other(scribe: Scribe) -> None:
    start(scribe)
    scribe.slack.message("C1", "1764428414.000014", "is rolling back", subtype="me_message")
    scribe.slack.message(
        "C1", "1764428415.000015", "root cause found", subtype="thread_broadcast", thread_ts="1764428414.000014"
    )
    assert [(m["text"], m.get("thread_ts")) for m in messages(scribe)] == [
        ("is rolling back", None),
        ("root cause found", "1764428414.000014"),
    ]


def test_a_link_unfurl_is_not_recorded_as_an_edit(scribe: Scribe) -> None:
    start(scribe)
    scribe.slack.message("C1", "1764428416.000016", "see https://status.example.com")
    unfurl = event_callback(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": "C1",
            "ts": "1764428417.000000",
            "event_ts": "1764428417.000000",
            "message": {
                "type": "message",
                "user": "U1",
                "text": "see https://status.example.com",
                "ts": "1764428416.000016",
                "attachments": [{"title": "Status"}],
            },
        }
    )
    assert scribe.slack.event(unfurl).status == 200
    [entry] = messages(scribe)
    assert "edited_at" not in entry
