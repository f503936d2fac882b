"""The two message writers — the live one (batches on the driver, storage/live_writer.py) and the
one backfill and imports use (through the session, storage/message_store.py) — run the same rules,
written once in storage/message_store.py: whatever order posts, edits and deletions arrive in, a
message ends in its latest state, and a deleted message never gets its text back."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.grammar import StartArgs
from bot.core.message_changes import MessageChange, MessageDeletion, MessagePost, SharedFile
from bot.core.slackts import datetime_to_ts, ts_to_datetime
from bot.services.bulk_capture import store_changes
from bot.services.incidents import start_incident
from storage import incidents as repo
from storage.live_writer import LiveMessageWriter, live_row
from storage.models import Message

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
Apply = Callable[[MessageChange], None]


@pytest.fixture
def incident(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with sessions.begin() as session:
        start_incident(
            session, team_id="T1", channel_id="C1", args=StartArgs("sev2", "Checkout errors"), user_id="U1", now=NOW
        )
    return sessions


def _live(sessions: sessionmaker[Session]) -> Iterator[Apply]:
    engine = sessions.kw["bind"]
    writer = LiveMessageWriter(engine.dialect)
    pooled = engine.raw_connection()
    connection = pooled.driver_connection
    pooled.detach()
    writer.configure(connection)
    yield lambda change: writer.write(connection, [live_row(change, team_id="T1", channel_id="C1")])  # type: ignore[arg-type]
    connection.close()


def _core(sessions: sessionmaker[Session]) -> Iterator[Apply]:
    def apply(change: MessageChange) -> None:
        with sessions.begin() as session:
            incident_id = repo.incident_id_for_channel(session, "T1", "C1")
            assert incident_id is not None
            store_changes(session, [change], incident_id=incident_id, team_id="T1", channel_id="C1", source="backfill")

    yield apply


@pytest.fixture(params=["live", "core"])
def apply(request: pytest.FixtureRequest, incident: sessionmaker[Session]) -> Iterator[Apply]:
    yield from (_live if request.param == "live" else _core)(incident)


def stored(sessions: sessionmaker[Session]) -> dict[str, Message]:
    with sessions() as session:
        return {m.ts: m for m in session.scalars(select(Message))}


def changes_of(ts: str) -> dict[str, MessageChange]:
    posted = ts_to_datetime(ts)
    files = (SharedFile("creds.txt", "https://files.example/creds.txt"),)
    return {
        "post": MessagePost(ts=ts, posted_at=posted, text="the password is hunter2", user="U1", files=files),
        "edit": MessagePost(
            ts=ts,
            posted_at=posted,
            text="the password is hunter3",
            user="U1",
            files=files,
            edited_at=posted + timedelta(minutes=1),
        ),
        "later edit": MessagePost(
            ts=ts, posted_at=posted, text="the password is hunter4", user="U1", edited_at=posted + timedelta(minutes=3)
        ),
        "delete": MessageDeletion(ts=ts, deleted_at=posted + timedelta(minutes=2)),
    }


ORDERS = list(itertools.permutations(["post", "edit", "later edit", "delete"]))


def test_a_deletion_wins_whatever_order_the_post_and_its_edits_arrive_in(
    incident: sessionmaker[Session], apply: Apply
) -> None:
    for number, order in enumerate(ORDERS):
        ts = datetime_to_ts(NOW - timedelta(hours=1) + timedelta(seconds=number))
        for name in order:
            apply(changes_of(ts)[name])
    rows = stored(incident)
    for number, order in enumerate(ORDERS):
        row = rows[datetime_to_ts(NOW - timedelta(hours=1) + timedelta(seconds=number))]
        assert (row.text, row.files, row.deleted_at is not None) == (None, None, True), order


def test_without_a_deletion_the_latest_edit_wins_whatever_the_order(
    incident: sessionmaker[Session], apply: Apply
) -> None:
    orders = list(itertools.permutations(["post", "edit", "later edit"]))
    for number, order in enumerate(orders):
        ts = datetime_to_ts(NOW - timedelta(hours=1) + timedelta(seconds=number))
        for name in order:
            apply(changes_of(ts)[name])
    rows = stored(incident)
    for number, order in enumerate(orders):
        row = rows[datetime_to_ts(NOW - timedelta(hours=1) + timedelta(seconds=number))]
        assert (row.text, row.deleted_at) == ("the password is hunter4", None), order


def _close(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        incident = repo.open_incident(session, "T1", "C1")
        assert incident is not None
        incident.status, incident.closed_at, incident.closed_by = "resolved", NOW, "U1"


def test_a_closed_incident_takes_no_new_message_and_no_edit_but_a_deletion_still_removes_the_text(
    incident: sessionmaker[Session], apply: Apply
) -> None:
    kept, deleted, later = (datetime_to_ts(NOW - timedelta(minutes=m)) for m in (30, 20, -5))
    apply(changes_of(kept)["post"])
    apply(changes_of(deleted)["post"])
    _close(incident)

    apply(changes_of(later)["post"])
    apply(changes_of(kept)["later edit"])
    apply(changes_of(deleted)["delete"])

    rows = stored(incident)
    assert set(rows) == {kept, deleted}
    assert (rows[kept].text, rows[kept].edited_at) == ("the password is hunter2", None)
    assert (rows[deleted].text, rows[deleted].files, rows[deleted].deleted_at is not None) == (None, None, True)


def test_with_a_later_incident_open_the_earlier_ones_messages_stay_its_own(
    incident: sessionmaker[Session], apply: Apply
) -> None:
    earlier, deleted, later = (datetime_to_ts(NOW - timedelta(minutes=m)) for m in (30, 20, -5))
    apply(changes_of(earlier)["post"])
    apply(changes_of(deleted)["post"])
    _close(incident)
    with incident.begin() as session:
        second = start_incident(
            session, team_id="T1", channel_id="C1", args=StartArgs("sev3", "Payments"), user_id="U2", now=NOW
        )
    assert second.created

    apply(changes_of(earlier)["post"])
    apply(changes_of(earlier)["later edit"])
    apply(changes_of(deleted)["delete"])
    apply(changes_of(later)["post"])

    rows = stored(incident)
    first_id = rows[earlier].incident_id
    assert first_id != second.incident_id
    assert (rows[earlier].incident_id, rows[earlier].text, rows[earlier].edited_at) == (
        first_id,
        "the password is hunter2",
        None,
    )
    assert (rows[deleted].incident_id, rows[deleted].text, rows[deleted].deleted_at is not None) == (
        first_id,
        None,
        True,
    )
    assert rows[later].incident_id == second.incident_id
