"""The Slack app manifest asks for what the code listens to, and nothing is forgotten."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.oauth import BOT_SCOPES

ROOT = Path(__file__).resolve().parents[2]


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_the_manifest_declares_the_incident_command_on_the_events_endpoint() -> None:
    [command] = manifest()["features"]["slash_commands"]
    assert command["command"] == "/incident"
    assert command["url"].endswith("/slack/events")


def test_the_manifest_subscribes_to_every_event_the_capture_path_handles() -> None:
    events = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    assert {
        "message.channels",
        "message.groups",
        "reaction_added",
        "reaction_removed",
        "pin_added",
        "pin_removed",
        "app_home_opened",
    } <= events


def test_the_manifest_grants_the_scopes_those_events_and_calls_need() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    needed = {
        "channels:history",
        "groups:history",
        "commands",
        "chat:write",
        "users:read",
        "users:read.email",
        "reactions:read",
        "pins:read",
        "im:write",
        "files:write",
    }
    assert needed <= scopes


def test_the_manifest_lets_the_bot_read_its_dms_so_a_lost_answer_can_be_looked_up() -> None:
    assert "im:history" in manifest()["oauth_config"]["scopes"]["bot"]


def test_an_oauth_install_asks_for_exactly_the_manifests_bot_scopes() -> None:
    assert sorted(BOT_SCOPES) == sorted(manifest()["oauth_config"]["scopes"]["bot"])


def test_interactivity_and_the_home_tab_are_enabled() -> None:
    data = manifest()
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["features"]["app_home"]["home_tab_enabled"] is True
