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


def test_a_database_whose_version_column_alembic_made_narrow_upgrades_past_a_long_revision_id(empty_database: str) -> None:
    if not server_url():
        pytest.skip("SQLite does not enforce a VARCHAR length")
    command.upgrade(alembic_config(empty_database), "0006_workspace_channels")
    engine = make_engine(empty_database)
    with engine.begin() as connection:  # as alembic's own default made it in earlier releases
        connection.execute(text("ALTER TABLE alembic_version ALTER COLUMN version_num TYPE VARCHAR(32)"))
    engine.dispose()
    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_datetimes_come_back_aware_in_utc_whatever_zone_they_were_stored_in(sessions) -> None:  # type: ignore[no-untyped-def]
    paris_noon = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with sessions.begin() as session:
        session.add(Incident(team_id="T1", channel_id="C1", title="t", status="active", started_at=paris_noon))
    with sessions() as session:
        stored = session.scalars(select(Incident.started_at)).one()
    assert stored == paris_noon
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def test_a_naive_datetime_is_refused_at_the_database_boundary(sessions) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception, match="naive datetime refused"):
        with sessions.begin() as session:
            session.add(Incident(team_id="T1", channel_id="C1", title="t", status="active", started_at=datetime(2026, 6, 1, 12, 0)))
            session.flush()
