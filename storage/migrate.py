"""Bring a database to the newest schema with the project's alembic revisions."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection


def alembic_config(database_url: str | None = None, connection: Connection | None = None) -> Config:
    """An alembic Config that finds the packaged migrations, with or without alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(files("migrations")))
    config.attributes["configure_logger"] = False
    if database_url is not None:
        config.attributes["database_url"] = database_url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")
