"""Status-update reminders at `scribe jobs run --now …`: once per interval to the commander,
none after resolve, while snoozed or before the interval; Post update and Snooze 30 min."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.background import wait_for_background
from bot.slack.running_text import POST_UPDATE, SNOOZE
from tests.conftest import Scribe
from tests.support.action_items import TRIGGER, opened_view, run_jobs
from tests.support.fake_slack import Call, FakeSlack
from tests.support.running import key_of, posts_keyed, say, settled
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    yield
    wait_for_background()


def started(scribe: Scribe, severity: str = "sev1") -> None:
    say(scribe, f"start {severity} Checkout errors", at="2026-11-29T14:00:00Z")
    settled(scribe)


def reminders(scribe: Scribe) -> list[Call]:
    settled(scribe)
    return posts_keyed(scribe.fake, "remind:")


def blocks_of(call: Call) -> list[dict]:
    blocks = call.params["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def click(scribe: Scribe, action_id: str, value: str, *, user: str = "U1") -> None:
    payload = {
        "type": "block_actions",
        "token": "legacy",
        "api_app_id": "A111",
        "team": {"id": "T111", "domain": "acme"},
        "user": {"id": user, "team_id": "T111"},
        "trigger_id": TRIGGER,
        "container": {"type": "message", "channel_id": f"D{user}", "message_ts": "1800000001.000100"},
        "response_url": scribe.fake.respond_url("reminder"),
        "actions": [{"type": "button", "action_id": action_id, "block_id": "r", "value": value, "action_ts": "1.0"}],
    }
    assert scribe.slack.action(payload).status == 200
    wait_for_background()


def test_the_commander_is_reminded_once_per_interval_without_an_update(scribe: Scribe) -> None:
    started(scribe)
    run_jobs(scribe, "2026-11-29T14:29:59Z")
    assert reminders(scribe) == []
    run_jobs(scribe, "2026-11-29T14:30:00Z")
    run_jobs(scribe, "2026-11-29T14:59:59Z")
    [first] = reminders(scribe)
    assert first.params["channel"] == "DU1"
    assert first.params["text"] == (
        ":hourglass: *Checkout errors* (sev1) in <#C1> has gone 30m since the incident started; a sev1 update is "
        "due every 30m. Post one with `/incident update TEXT` or the button."
    )
    buttons = blocks_of(first)[1]["elements"]
    assert [(b["text"]["text"], b["action_id"]) for b in buttons] == [
        ("Post update", POST_UPDATE),
        ("Snooze 30 min", SNOOZE),
    ]
    run_jobs(scribe, "2026-11-29T15:00:00Z")
    assert len(reminders(scribe)) == 2


def test_an_update_restarts_the_interval_and_the_next_reminder_counts_from_it(scribe: Scribe) -> None:
    started(scribe)
    say(scribe, "update Looking at the load balancer", at="2026-11-29T14:20:00Z")
    run_jobs(scribe, "2026-11-29T14:49:00Z")
    assert reminders(scribe) == []
    run_jobs(scribe, "2026-11-29T14:50:00Z")
    [reminder] = reminders(scribe)
    assert "has gone 30m since the last status update" in reminder.params["text"]


def test_the_reminder_goes_to_whoever_commands_now(scribe: Scribe) -> None:
    started(scribe)
    say(scribe, "role commander <@U2>", at="2026-11-29T14:10:00Z")
    run_jobs(scribe, "2026-11-29T14:30:00Z")
    assert [c.params["channel"] for c in reminders(scribe)] == ["DU2"]


def test_the_cadence_follows_the_severity_and_a_severity_without_one_is_never_reminded(scribe: Scribe) -> None:
    started(scribe, "sev2")
    run_jobs(scribe, "2026-11-29T14:59:00Z")
    assert reminders(scribe) == []
    run_jobs(scribe, "2026-11-29T15:00:00Z")
    assert len(reminders(scribe)) == 1
    say(scribe, "start sev3 Slow search", at="2026-11-29T14:00:00Z", channel="C3")
    run_jobs(scribe, "2026-11-29T18:00:00Z")
    assert {key_of(c).split(":")[1] for c in reminders(scribe)} == {"1"}


def test_no_reminder_after_the_incident_is_resolved(scribe: Scribe) -> None:
    started(scribe)
    say(scribe, "mark resolved", at="2026-11-29T14:25:00Z")
    run_jobs(scribe, "2026-11-29T15:30:00Z")
    assert reminders(scribe) == []


def test_a_snooze_quiets_the_reminder_for_thirty_minutes_and_says_so(scribe: Scribe) -> None:
    started(scribe)
    run_jobs(scribe, "2026-11-29T14:30:00Z")
    [reminder] = reminders(scribe)
    scribe.clock.set("2026-11-29T14:50:00Z")
    click(scribe, SNOOZE, next(b for b in blocks_of(reminder)[1]["elements"] if b["action_id"] == SNOOZE)["value"])
    said = wait_for(lambda: scribe.fake.calls_to("response_url"), what="the snoozed note")
    assert said[-1].params["text"] == ":zzz: Update reminder snoozed by <@U1> until 15:20 UTC."
    assert said[-1].params["replace_original"] is True
    run_jobs(scribe, "2026-11-29T15:00:00Z")
    run_jobs(scribe, "2026-11-29T15:19:59Z")
    assert len(reminders(scribe)) == 1
    run_jobs(scribe, "2026-11-29T15:20:00Z")
    assert len(reminders(scribe)) == 2


def test_post_update_opens_the_form_for_the_incidents_channel(scribe: Scribe) -> None:
    started(scribe)
    run_jobs(scribe, "2026-11-29T14:30:00Z")
    [reminder] = reminders(scribe)
    click(scribe, POST_UPDATE, blocks_of(reminder)[1]["elements"][0]["value"])
    view = opened_view(scribe.fake)
    assert (view["callback_id"], view["private_metadata"]) == ("incident_update", "C1")


def test_a_reminder_whose_answer_was_lost_is_not_sent_again(scribe: Scribe) -> None:
    started(scribe)
    scribe.fake.lose_answer("chat.postMessage")
    run_jobs(scribe, "2026-11-29T14:30:00Z")
    run_jobs(scribe, "2026-11-29T14:45:00Z")
    assert len(reminders(scribe)) == 1


def test_two_clocks_at_once_send_one_reminder(scribe: Scribe, database_url: str) -> None:
    started(scribe)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": scribe.fake.url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "bot.cli", "jobs", "run", "--now", "2026-11-29T14:31:00Z"]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert [key_of(c) for c in reminders(scribe)] == ["remind:1:20261129T140000:1"]


def test_the_interval_follows_scribe_update_every(scribe: Scribe) -> None:
    started(scribe)
    run_jobs(scribe, "2026-11-29T14:15:00Z", update_every="sev1=15m")
    assert len(reminders(scribe)) == 1
    run_jobs(scribe, "2026-11-29T16:00:00Z", update_every="off")
    assert len(reminders(scribe)) == 1


def test_an_incident_a_route_declared_is_reminded_in_its_channel(scribe: Scribe) -> None:
    from bot.core.grammar import StartArgs
    from bot.services import incidents

    scribe.clock.set("2026-11-29T14:00:00Z")
    with scribe.sessions.begin() as session:
        incidents.start_incident(
            session,
            team_id="T111",
            channel_id="CROUTE",
            args=StartArgs("sev1", "Disk full on db-1"),
            user_id=None,  # type: ignore[arg-type]  # a route, not a person
            now=scribe.clock(),
        )
    run_jobs(scribe, "2026-11-29T14:30:00Z")
    [reminder] = reminders(scribe)
    assert reminder.params["channel"] == "CROUTE"
    assert "*Disk full on db-1* (sev1) in <#CROUTE> has gone 30m" in reminder.params["text"]
