"""Fresh databases for tests: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.schema import metadata
from storage.session import make_engine


def server_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


@contextmanager
def temporary_postgres_database(base_url: str) -> Iterator[str]:
    """A new, empty database on the TEST_DATABASE_URL server, dropped afterwards."""
    url = make_url(base_url)
    name = f"scribe_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT", poolclass=None)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                    f"'{name}' AND pid <> pg_backend_pid()"
                )
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def copy_sqlite(template: Path, target: Path) -> str:
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def truncate_all(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def empty_all(url: str) -> None:
    """Every table emptied, on either database: PostgreSQL by :func:`truncate_all`, SQLite (which
    has no TRUNCATE) by deleting each table's rows, dependants first, and its ids' counters."""
    if make_url(url).get_backend_name() != "sqlite":
        truncate_all(url)
        return
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
            if connection.execute(text("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
                connection.execute(text("DELETE FROM sqlite_sequence"))
    finally:
        engine.dispose()
