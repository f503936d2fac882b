"""The ingest hot path writes a whole batch at once and still ends in the latest state of every
message, stored exactly as the rest of the app reads it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.grammar import StartArgs
from bot.core.message_changes import MessageDeletion, MessagePost, SharedFile
from bot.core.slackts import ts_to_datetime
from bot.services.incidents import start_incident
from storage import live_writer
from storage.live_writer import LiveMessageWriter, LiveRow, live_row
from storage.models import Message

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
TS = "1764428400.000100"


@pytest.fixture
def incident(sessions):
    with sessions.begin() as session:
        start_incident(
            session, team_id="T1", channel_id="C1", args=StartArgs("sev2", "Checkout errors"), user_id="U1", now=NOW
        )
    return sessions


@pytest.fixture
def write(incident) -> Iterator[Any]:
    """Write rows as one batch on a driver connection of the test database."""
    engine = incident.kw["bind"]
    writer = LiveMessageWriter(engine.dialect)
    pooled = engine.raw_connection()
    connection = pooled.driver_connection
    pooled.detach()
    writer.configure(connection)
    yield lambda rows: writer.write(connection, rows)
    connection.close()


def post(ts: str = TS, text: str = "checkout 500s", **fields: Any) -> LiveRow:
    return live_row(
        MessagePost(ts=ts, posted_at=ts_to_datetime(ts), text=text, user="U1", **fields), team_id="T1", channel_id="C1"
    )


def edit(text: str, minutes: int) -> LiveRow:
    return live_row(
        MessagePost(
            ts=TS, posted_at=ts_to_datetime(TS), text=text, user="U1", edited_at=NOW + timedelta(minutes=minutes)
        ),
        team_id="T1",
        channel_id="C1",
    )


def stored(sessions) -> list[Message]:
    with sessions() as session:
        return list(session.scalars(select(Message).order_by(Message.ts)))


def test_edits_of_one_message_in_one_batch_end_in_the_newest_whatever_their_order(incident, write) -> None:
    write([post(), edit("second edit", 2), edit("first edit", 1), post(), edit("third edit", 3)])
    [message] = stored(incident)
    assert message.text == "third edit"
    assert message.edited_at == NOW + timedelta(minutes=3)


def test_a_deletion_in_the_same_batch_wins_over_posts_and_edits(incident, write) -> None:
    deletion = live_row(MessageDeletion(ts=TS, deleted_at=NOW), team_id="T1", channel_id="C1")
    write([edit("an edit", 1), deletion, post(), edit("a later edit", 2), deletion])
    [message] = stored(incident)
    assert message.text is None
    assert message.deleted_at == NOW


def test_a_message_of_a_channel_that_is_no_incident_is_not_written(incident, write) -> None:
    elsewhere = live_row(
        MessagePost(ts=TS, posted_at=ts_to_datetime(TS), text="lunch?", user="U2"), team_id="T1", channel_id="C-RANDOM"
    )
    other_workspace = live_row(
        MessagePost(ts=TS, posted_at=ts_to_datetime(TS), text="hi", user="U2"), team_id="T2", channel_id="C1"
    )
    write([elsewhere, other_workspace, post("1764428400.000200")])
    assert [m.channel_id for m in stored(incident)] == ["C1"]
    assert [m.team_id for m in stored(incident)] == ["T1"]


def test_rows_are_stored_as_the_model_reads_them(incident, write) -> None:
    files = (SharedFile("graph.png", "https://files.example/graph.png"),)
    write([post(thread_ts="1764428300.000001", bot_id="B1", bot_name="PagerDuty", subtype="bot_message", files=files)])
    [message] = stored(incident)
    assert message.posted_at == ts_to_datetime(TS)
    assert message.posted_at.tzinfo is UTC
    assert (message.thread_ts, message.bot_id, message.bot_name, message.subtype) == (
        "1764428300.000001",
        "B1",
        "PagerDuty",
        "bot_message",
    )
    assert message.files == [{"name": "graph.png", "url": "https://files.example/graph.png"}]
    assert message.source == "live"
    assert message.edited_at is None
    assert message.deleted_at is None


def test_a_message_without_files_stores_sql_null(incident, write) -> None:
    write([post()])
    [message] = stored(incident)
    assert message.files is None


def test_on_sqlite_a_write_waits_for_another_processs_write_lock_then_goes_through(
    incident, write, monkeypatch
) -> None:
    engine = incident.kw["bind"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    other = sqlite3.connect(engine.url.database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # as another web process would, mid-write
    release = threading.Timer(0.05, lambda: other.execute("COMMIT"))
    release.start()
    write([post()])
    release.join()
    other.close()
    assert [m.text for m in stored(incident)] == ["checkout 500s"]


def test_on_sqlite_a_write_lock_held_too_long_fails_the_write(incident, write, monkeypatch) -> None:
    engine = incident.kw["bind"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    monkeypatch.setattr(live_writer, "SQLITE_LOCK_WAIT_SECONDS", 0.05)
    other = sqlite3.connect(engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        write([post()])
    other.execute("ROLLBACK")
    other.close()
    assert stored(incident) == []


def test_times_are_written_in_sqlalchemys_text_form_on_sqlite(incident, write) -> None:
    engine = incident.kw["bind"]
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL stores timestamptz, not text")
    whole_second = "1764428460.000000"
    write([post(whole_second), edit("an edit", 1)])
    with engine.connect() as connection:
        raw = dict(connection.exec_driver_sql("SELECT ts, posted_at FROM messages").all())
        [edited_at] = connection.exec_driver_sql(f"SELECT edited_at FROM messages WHERE ts = '{TS}'").scalars()
    # SQLAlchemy's form, always with microseconds, so that times compare as text in SQL; never the
    # driver's default adapter (which drops zero microseconds, and is deprecated since Python 3.12).
    assert raw[whole_second] == "2025-11-29 15:01:00.000000"
    assert edited_at == "2026-11-29 15:01:00.000000"
