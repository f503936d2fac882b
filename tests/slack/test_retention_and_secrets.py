"""Retention purges old message text and keeps what measures; secrets and text stay out of logs."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.jobs import run_due
from bot.services import outbox
from bot.services.drafts import draft_json
from bot.services.retention import purge_expired_posts, purge_expired_text
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.client import build_client
from bot.slack.deps import Deps
from bot.web import create_wsgi_app
from storage.live_writer import live_message_commits
from storage.session import make_engine, make_session_factory
from tests.conftest import Scribe
from tests.support.slack_requests import SlackRequests, event_callback

OLD_TS = "1761836400.000001"  # 2025-10-30T15:00:00Z, thirty days before the clock
NEW_TS = "1764428400.000001"  # 2025-11-29T15:00:00Z


def record(scribe: Scribe) -> dict[str, Any]:
    with scribe.sessions() as session:
        return draft_json(session, "C1", now=scribe.clock(), settings=scribe.settings, team_id="T111")


def timeline_messages(scribe: Scribe) -> list[dict[str, Any]]:
    return [entry for entry in record(scribe)["timeline"] if entry["kind"] == "message"]


def with_retention(scribe: Scribe, days: int | None) -> Deps:
    return dataclasses.replace(scribe.deps, settings=dataclasses.replace(scribe.settings, retention_days=days))


def an_incident_with_old_and_new_messages(scribe: Scribe) -> None:
    scribe.clock.set("2025-11-29T16:00:00Z")
    assert scribe.command("start sev2 Checkout errors").status == 200
    scribe.slack.message("C1", OLD_TS, "old words about the database")
    scribe.slack.message(
        "C1",
        "1761836500.000001",
        "",
        subtype="file_share",
        files=[{"id": "F1", "name": "secret-dump.txt", "permalink": "https://files/F1"}],
    )
    scribe.slack.message("C1", NEW_TS, "fresh words")
    scribe.command("mark detected at 2025-10-30 14:55 UTC")
    scribe.command("mark resolved at 2025-10-30 18:00 UTC")
    scribe.command("note rolled back the deploy")


def test_retention_purges_old_message_text_and_keeps_markers_durations_and_notes(scribe: Scribe) -> None:
    an_incident_with_old_and_new_messages(scribe)
    before = record(scribe)
    run_due(with_retention(scribe, 29), build_client("xoxb-test-token", scribe.fake.url), scribe.clock())
    after = record(scribe)
    messages = [entry for entry in after["timeline"] if entry["kind"] == "message"]
    assert [m["ts"] for m in messages] == [OLD_TS, "1761836500.000001", NEW_TS]
    assert next(m["text"] for m in messages) in (None, "")
    assert "secret-dump" not in repr(after)
    assert messages[2]["text"] == "fresh words"
    assert (
        after["phases"]
        == before["phases"]
        == {**before["phases"], "detected": "2025-10-30T14:55:00Z", "resolved": "2025-10-30T18:00:00Z"}
    )
    assert [e["text"] for e in after["timeline"] if e["kind"] == "note"] == ["rolled back the deploy"]
    assert {k: v for k, v in after.items() if k != "timeline"} == {k: v for k, v in before.items() if k != "timeline"}


def test_retention_is_off_unless_a_number_of_days_is_set(scribe: Scribe) -> None:
    an_incident_with_old_and_new_messages(scribe)
    before = record(scribe)
    run_due(with_retention(scribe, None), build_client("xoxb-test-token", scribe.fake.url), scribe.clock())
    assert purge_expired_text(scribe.sessions, now=scribe.clock(), days=0) == 0
    assert record(scribe) == before
    assert Settings.from_env({}).retention_days is None
    assert Settings.from_env({"SCRIBE_RETENTION_DAYS": "90"}).retention_days == 90


def test_a_long_history_is_purged_in_batches_and_a_second_pass_finds_nothing(scribe: Scribe) -> None:
    scribe.command("start sev3 Slow")
    for n in range(7):
        scribe.slack.message("C1", f"17618364{n:02d}.000001", f"old {n}")
    assert purge_expired_text(scribe.sessions, now=scribe.clock(), days=1, batch=3) == 7
    assert purge_expired_text(scribe.sessions, now=scribe.clock(), days=1, batch=3) == 0
    assert all(not m["text"] for m in timeline_messages(scribe))


def test_settings_never_show_a_secret_in_full() -> None:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-1234567890-abcdefghijkl",
            "SLACK_SIGNING_SECRET": "8f14e45fceea167a5a36dedd4bea2543",
            "SLACK_APP_TOKEN": "xapp-1-A111-222-secretpart",
            "SLACK_CLIENT_SECRET": "client-secret-0123456789",
            "SLACK_CLIENT_ID": "1111.2222",
            "SCRIBE_WEBHOOK_TOKEN": "hook-secret-value",
            "SCRIBE_BACKUP_PASSWORD": "backup-pass-value",
            "DATABASE_URL": "postgresql+psycopg://scribe:db-pass-value@db.internal:5432/scribe",
        }
    )
    shown = repr(settings) + str(settings)
    for secret in (
        "abcdefghijkl",
        "8f14e45fceea167a5a36dedd4bea2543",
        "secretpart",
        "0123456789",
        "hook-secret-value",
        "backup-pass-value",
        "db-pass-value",
    ):
        assert secret not in shown
    assert "1111.2222" in shown
    assert "postgresql+psycopg://scribe:***@db.internal:5432/scribe" in shown


def test_a_database_password_given_as_a_query_parameter_is_masked_too() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql+psycopg://scribe@db/scribe?password=db-pass-value&sslmode=require"}
    )
    assert "db-pass-value" not in repr(settings)
    assert "password=***&sslmode=require" in repr(settings)


SECRET_TOKEN = "xoxb-999-secret-token-value"
SIGNING = "signing-secret-never-logged"
WORDS = "customer card 4242 leaked in prod"


def test_no_token_secret_or_message_text_is_logged_at_info_or_above(
    scribe: Scribe, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.INFO)
    for ours in ("bot", "storage", "slack_bolt", "slack_sdk"):
        caplog.set_level(logging.DEBUG, logger=ours)
    settings = dataclasses.replace(scribe.settings, slack_bot_token=SECRET_TOKEN, slack_signing_secret=SIGNING)
    deps = dataclasses.replace(scribe.deps, settings=settings)
    slack = SlackRequests(
        create_wsgi_app(build_app(deps, client=build_client(SECRET_TOKEN, scribe.fake.url))),
        secret=SIGNING,
        response_url=scribe.fake.respond_url(),
    )

    assert slack.command("start sev1 Card data").status == 200
    assert slack.message("C1", NEW_TS, WORDS).status == 200
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "ts": "1764428460.000001",
        "message": {
            "user": "U1",
            "text": WORDS + " (edited)",
            "ts": NEW_TS,
            "edited": {"user": "U1", "ts": "1764428460.000000"},
        },
    }
    assert slack.event(event_callback(edit)).status == 200
    slack.command(f"mark detected at {WORDS}")
    slack.command(f"note {WORDS}")
    with scribe.sessions.begin() as session:
        outbox.enqueue(
            session, team_id="T111", key="k1", kind="message", channel="C1", payload={"text": WORDS}, now=scribe.clock()
        )
        outbox.enqueue(
            session,
            team_id="T111",
            key="k2",
            kind="message",
            channel="CGONE",
            payload={"text": WORDS},
            now=scribe.clock(),
        )
    scribe.fake.fail("chat.postMessage", 200, body={"ok": False, "error": "ratelimited"})
    scribe.fake.fail("chat.postMessage", 200, body={"ok": False, "error": "channel_not_found"})
    run_due(deps, build_client(SECRET_TOKEN, scribe.fake.url), scribe.clock())

    broken_engine = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    broken = dataclasses.replace(
        deps, sessions=make_session_factory(broken_engine), writes=live_message_commits(broken_engine)
    )
    down = SlackRequests(create_wsgi_app(build_app(broken)), secret=SIGNING)
    assert down.message("C1", "1764428470.000001", WORDS).status >= 500
    assert down.command(f"note {WORDS}").status == 200

    formatter = logging.Formatter()
    loud = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert any(r.levelno >= logging.ERROR for r in loud), "the scenario must log its failures"
    for entry in loud:
        text = entry.getMessage() + (formatter.formatException(entry.exc_info) if entry.exc_info else "")
        for secret in (SECRET_TOKEN, "secret-token-value", SIGNING, "card 4242"):
            assert secret not in text, f"{entry.name} {entry.levelname} logged {secret!r}: {text[:300]}"


def outbox_rows(scribe: Scribe) -> list[tuple[str, str, dict[str, Any]]]:
    from sqlalchemy import select

    from bot.slack.background import wait_for_background
    from storage.models import OutboxMessage

    wait_for_background()  # drafts are built and queued right after the answer
    with scribe.sessions() as session:
        return [
            (row.kind, row.state, dict(row.payload))
            for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def test_retention_empties_old_delivered_drafts_which_quote_messages(scribe: Scribe) -> None:
    an_incident_with_old_and_new_messages(scribe)  # resolving posts the draft, quoting the record
    assert any(
        "Postmortem draft v1 for Checkout errors" in repr(payload)
        for _, state, payload in outbox_rows(scribe)
        if state == "sent"
    )
    calls_before = len(scribe.fake.calls)

    scribe.clock.set("2025-12-31T16:00:00Z")  # the draft was posted 32 days ago
    run_due(with_retention(scribe, 30), build_client("xoxb-test-token", scribe.fake.url), scribe.clock())

    rows = outbox_rows(scribe)
    assert rows
    assert all(state == "sent" and payload == {} for _, state, payload in rows)
    assert "Checkout errors" not in repr(rows)
    assert len(scribe.fake.calls) == calls_before, "emptied posts are never sent again"


def test_retention_never_empties_a_post_still_owed(scribe: Scribe) -> None:
    scribe.clock.set("2025-11-29T16:00:00Z")
    with scribe.sessions.begin() as session:
        outbox.enqueue(
            session,
            team_id="T111",
            key="owed",
            kind="dm",
            channel="U1",
            payload={"text": "old words, not yet delivered"},
            now=scribe.clock(),
        )
    assert purge_expired_posts(scribe.sessions, now=scribe.clock() + timedelta(days=60), days=30) == 0
    assert outbox_rows(scribe) == [("dm", "pending", {"text": "old words, not yet delivered"})]


def test_retention_leaves_recent_delivered_posts_alone(scribe: Scribe) -> None:
    an_incident_with_old_and_new_messages(scribe)
    before = outbox_rows(scribe)
    run_due(with_retention(scribe, 30), build_client("xoxb-test-token", scribe.fake.url), scribe.clock())
    assert outbox_rows(scribe) == before
