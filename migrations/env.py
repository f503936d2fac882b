"""Alembic environment: one code path for `alembic upgrade`, `scribe migrate` and the tests."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import inspect, text

from storage.schema import metadata as target_metadata_all
from storage.session import make_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = target_metadata_all

VERSION_NUM_LENGTH = 255
"""Room for a revision id named for what it does; alembic's own default is 32 characters."""


def _url() -> str:
    return (
        config.attributes.get("database_url")
        or os.environ.get("DATABASE_URL")
        or "sqlite:///scribe.db"
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run_with(connection)
    finally:
        engine.dispose()


def _make_room_for_revision_ids(connection) -> None:  # type: ignore[no-untyped-def]
    """Alembic makes ``alembic_version.version_num`` VARCHAR(32), which PostgreSQL enforces:
    a longer revision id (0007's has 34 characters) fails the upgrade after its changes ran.
    SQLite does not enforce the length."""
    if connection.dialect.name != "postgresql":
        return
    inspector = inspect(connection)
    if not inspector.has_table("alembic_version"):
        connection.execute(
            text(
                f"CREATE TABLE alembic_version (version_num VARCHAR({VERSION_NUM_LENGTH}) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
        )
        return
    [column] = [c for c in inspector.get_columns("alembic_version") if c["name"] == "version_num"]
    if (getattr(column["type"], "length", None) or 0) < VERSION_NUM_LENGTH:
        connection.execute(text(f"ALTER TABLE alembic_version ALTER COLUMN version_num TYPE VARCHAR({VERSION_NUM_LENGTH})"))


def _run_with(connection) -> None:  # type: ignore[no-untyped-def]
    _make_room_for_revision_ids(connection)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
