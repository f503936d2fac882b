"""Two workspaces that use the same channel ids never see each other's incidents."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.services.drafts import draft_json
from bot.slack.background import wait_for_background
from tests.conftest import Scribe
from tests.support.slack_requests import event_callback

CHANNELS = ("C1", "C2")


def message(scribe: Scribe, team: str, channel: str, ts: str, text: str) -> None:
    event = {"type": "message", "channel": channel, "user": "U1", "text": text, "ts": ts, "event_ts": ts}
    assert scribe.slack.event(event_callback(event, team_id=team)).status == 200


def command(scribe: Scribe, team: str, channel: str, text: str) -> Any:
    response = scribe.command(text, channel=channel, team_id=team)
    assert response.status == 200, response.body
    return response.json()


def record_of(scribe: Scribe, team: str, channel: str) -> dict[str, Any]:
    with scribe.sessions() as session:
        return draft_json(session, channel, now=scribe.clock(), settings=scribe.settings, team_id=team)


def everything_of(scribe: Scribe, team: str) -> str:
    return repr([record_of(scribe, team, channel) for channel in CHANNELS])


def test_two_workspaces_with_the_same_channel_ids_keep_separate_records(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-29T15:00:00Z")
    for team, word in (("T111", "alpha"), ("T222", "beta")):
        for channel in CHANNELS:
            command(scribe, team, channel, f"start sev2 {word} {channel} outage")
            command(scribe, team, channel, f"note {word}-note in {channel}")
    message(scribe, "T111", "C1", "1764428400.000001", "alpha-message one")
    message(scribe, "T222", "C1", "1764428400.000001", "beta-message with the same ts")
    message(scribe, "T222", "C2", "1764428401.000001", "beta-message two")
    command(scribe, "T111", "C1", "mark detected at 14:05 UTC alpha-detected")
    command(scribe, "T222", "C1", "mark detected at 13:00 UTC beta-detected")
    command(scribe, "T222", "C1", "mark resolved at 14:30 UTC beta-resolved")

    alpha, beta = record_of(scribe, "T111", "C1"), record_of(scribe, "T222", "C1")
    assert alpha["incident"]["title"] == "alpha C1 outage"
    assert beta["incident"]["title"] == "beta C1 outage"
    assert alpha["phases"]["detected"] == "2026-11-29T14:05:00Z"
    assert alpha["phases"]["resolved"] is None
    assert beta["phases"]["detected"] == "2026-11-29T13:00:00Z"
    assert beta["phases"]["resolved"] == "2026-11-29T14:30:00Z"
    assert [m["text"] for m in alpha["timeline"] if m["kind"] == "message"] == ["alpha-message one"]
    assert [m["text"] for m in beta["timeline"] if m["kind"] == "message"] == ["beta-message with the same ts"]
    assert "beta" not in everything_of(scribe, "T111")
    assert "alpha" not in everything_of(scribe, "T222")


def test_a_command_in_one_workspace_cannot_touch_the_other_workspaces_incident(scribe: Scribe) -> None:
    command(scribe, "T111", "C1", "start sev1 alpha outage")
    status = command(scribe, "T222", "C1", "status")
    assert "alpha" not in status["text"]
    command(scribe, "T222", "C1", "mark detected beta-only")
    note = command(scribe, "T222", "C1", "note beta-only")
    assert "alpha" not in note["text"]
    record = record_of(scribe, "T111", "C1")
    assert record["phases"]["detected"] is None
    assert "beta-only" not in repr(record)


def test_a_message_of_another_workspace_in_a_channel_with_the_same_id_is_not_recorded(scribe: Scribe) -> None:
    command(scribe, "T111", "C1", "start sev2 alpha outage")
    message(scribe, "T222", "C1", "1764428400.000001", "beta secret")
    message(scribe, "T222", "C1", "1764428400.000002", "beta secret again")
    assert "beta secret" not in repr(record_of(scribe, "T111", "C1"))
    command(scribe, "T222", "C1", "start sev2 beta outage")
    message(scribe, "T222", "C1", "1764428400.000003", "beta after start")
    assert [m["text"] for m in record_of(scribe, "T222", "C1")["timeline"] if m["kind"] == "message"] == [
        "beta after start"
    ]


def test_a_pushpin_in_one_workspace_marks_nothing_in_the_other(scribe: Scribe) -> None:
    for team in ("T111", "T222"):
        command(scribe, team, "C1", f"start sev2 {team} outage")
        message(scribe, team, "C1", "1764428400.000001", f"{team} says hi")
    pin = {
        "type": "reaction_added",
        "user": "U1",
        "reaction": "pushpin",
        "item": {"type": "message", "channel": "C1", "ts": "1764428400.000001"},
        "event_ts": "1764428500.000001",
    }
    assert scribe.slack.event(event_callback(pin, team_id="T222")).status == 200
    [alpha] = [m for m in record_of(scribe, "T111", "C1")["timeline"] if m["kind"] == "message"]
    [beta] = [m for m in record_of(scribe, "T222", "C1")["timeline"] if m["kind"] == "message"]
    assert beta.get("key") is True
    assert alpha.get("key") is None


def test_action_items_stats_and_the_home_tab_of_one_workspace_are_invisible_to_the_other(scribe: Scribe) -> None:
    scribe.clock.set("2026-11-29T15:00:00Z")
    command(scribe, "T111", "C1", "start sev1 alpha outage")
    command(scribe, "T111", "C1", "service alpha-payments")
    created = command(scribe, "T111", "C1", "action <@U1> 2026-12-04 alpha-item rotate the keys")
    alpha_id = int(re.search(r"#(\d+)", created["text"]).group(1))  # type: ignore[union-attr]
    command(scribe, "T222", "C1", "start sev2 beta outage")
    command(scribe, "T222", "C1", "action <@U1> 2026-12-05 beta-item add an alert")

    mine = command(scribe, "T222", "C1", "actions mine")["text"]
    assert "beta-item" in mine
    assert "alpha-item" not in mine
    refused = command(scribe, "T222", "C1", f"done {alpha_id}")["text"]
    assert f"no action item #{alpha_id} in this workspace" in refused
    assert record_of(scribe, "T111", "C1")["action_items"][0]["status"] == "open"
    assert "alpha" not in command(scribe, "T222", "C1", "stats")["text"]

    scribe.fake.reset_calls()
    home = event_callback(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1764428400.000001"},
        team_id="T222",
    )
    assert scribe.slack.event(home).status == 200
    wait_for_background()  # the tab is published after the answer
    [published] = scribe.fake.calls_to("views.publish")
    view = published.params["view"]
    shown = view if isinstance(view, str) else json.dumps(view)
    assert "beta-item" in shown
    assert "alpha" not in shown
