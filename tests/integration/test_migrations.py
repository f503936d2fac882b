"""The alembic revisions and the models describe the same schema, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.migrate import alembic_config, upgrade_to_head
from storage.models import Incident
from storage.schema import metadata
from storage.session import make_engine
from tests.support.databases import server_url, temporary_postgres_database


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    base = server_url()
    if base:
        with temporary_postgres_database(base) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'empty.db'}"


def test_upgrade_head_gives_exactly_the_schema_the_models_describe(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_the_revisions_form_a_single_line_of_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_every_revision_downgrades_to_an_empty_database_and_back(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    command.downgrade(alembic_config(empty_database), "base")
    upgrade_to_head(empty_database)


def test_upgrading_twice_changes_nothing(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    upgrade_to_head(empty_database)


def _insert(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def _count(url: str, table: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


INCIDENT = (
    "INSERT INTO incidents (id, team_id, channel_id, title, status, "
    "started_at) VALUES ({id}, 'T1', 'C1', 't', 'resolved', '2026-11-29 "
    "14:00:00+00:00')"
)


def test_closing_incidents_keeps_every_record_on_the_way_up_and_down(empty_database: str) -> None:
    command.upgrade(alembic_config(empty_database), "0007_answer_first_exactly_once")
    _insert(
        empty_database,
        INCIDENT.format(id=1),
        "INSERT INTO messages (incident_id, team_id, channel_id, ts, text, posted_at, source) "
        "VALUES (1, 'T1', 'C1', '1764428400.000100', 'db is slow', '2026-11-29 14:40:00+00:00', 'live')",
        "INSERT INTO phase_marks (incident_id, phase, at, created_at) VALUES (1, "
        "'resolved', '2026-11-29 15:00:00+00:00', '2026-11-29 15:00:00+00:00')",
    )

    upgrade_to_head(empty_database)
    # SQLite rebuilds the table to drop its constraint: rows that refer to it must survive that.
    assert (
        _count(empty_database, "incidents"),
        _count(empty_database, "messages"),
        _count(empty_database, "phase_marks"),
    ) == (1, 1, 1)
    with pytest.raises(IntegrityError):  # one open incident per channel
        _insert(empty_database, INCIDENT.format(id=2))
    _insert(
        empty_database,
        "UPDATE incidents SET closed_at = '2026-11-29 15:10:00+00:00', closed_by = 'U1' WHERE id = 1",
        INCIDENT.format(id=2),
    )
    with pytest.raises(IntegrityError):  # a closed one does not count, a second open one still does
        _insert(empty_database, INCIDENT.format(id=3))

    with pytest.raises(RuntimeError, match="holds more than one incident"):
        command.downgrade(alembic_config(empty_database), "0007_answer_first_exactly_once")
    _insert(empty_database, "DELETE FROM incidents WHERE id = 2")
    command.downgrade(alembic_config(empty_database), "0007_answer_first_exactly_once")
    assert (
        _count(empty_database, "incidents"),
        _count(empty_database, "messages"),
        _count(empty_database, "phase_marks"),
    ) == (1, 1, 1)
    with pytest.raises(IntegrityError):  # one incident per channel again, as before 0008
        _insert(empty_database, INCIDENT.format(id=2))
    upgrade_to_head(empty_database)
    assert _count(empty_database, "messages") == 1


def test_datetimes_come_back_aware_in_utc_whatever_zone_they_were_stored_in(sessions) -> None:
    paris_noon = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with sessions.begin() as session:
        session.add(Incident(team_id="T1", channel_id="C1", title="t", status="active", started_at=paris_noon))
    with sessions() as session:
        stored = session.scalars(select(Incident.started_at)).one()
    assert stored == paris_noon
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def test_a_naive_datetime_is_refused_at_the_database_boundary(sessions: sessionmaker[Session]) -> None:
    naive = datetime(2026, 6, 1, 12, 0)  # noqa: DTZ001 (the naive time under test)
    with sessions() as session:
        session.add(Incident(team_id="T1", channel_id="C1", title="t", status="active", started_at=naive))
        with pytest.raises(Exception, match="naive datetime refused"):
            session.flush()


def test_every_revision_id_fits_alembics_version_column() -> None:
    """alembic_version.version_num is VARCHAR(32): PostgreSQL refuses a longer id, SQLite does not."""
    too_long = [
        r.revision
        for r in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()
        if len(r.revision) > 32
    ]
    assert too_long == []
