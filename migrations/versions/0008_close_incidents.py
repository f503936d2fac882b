"""an incident has an end: closed_at and closed_by, and one open incident per channel

A channel may now hold a later incident once the earlier one is closed: the unique constraint
on (team_id, channel_id) becomes a unique index over the open incidents only.

Revision ID: 0008_close_incidents
Revises: 0007_answer_first_exactly_once
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008_close_incidents"
down_revision: str | Sequence[str] | None = "0007_answer_first_exactly_once"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("closed_at IS NULL")


@contextmanager
def _rebuilding_a_referenced_table() -> Iterator[None]:
    """SQLite changes a constraint by rebuilding the table: a copy, then DROP of the original.
    With foreign keys on, that DROP first deletes every row, and ON DELETE CASCADE takes every
    message, marker and action item of every incident with it. So, as SQLite's own procedure
    for schema changes says: foreign keys off (which only takes effect outside a transaction),
    rebuild, check the keys, commit, foreign keys back on. PostgreSQL alters in place."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    bind.commit()
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"rebuilding incidents broke {len(broken)} foreign keys; nothing was changed")
    except BaseException:
        bind.rollback()
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        raise
    bind.commit()
    bind.exec_driver_sql("PRAGMA foreign_keys=ON")


def upgrade() -> None:
    with _rebuilding_a_referenced_table(), op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_by", sa.String(length=32), nullable=True))
        batch.drop_constraint("uq_incidents_team_id_channel_id", type_="unique")
    op.create_index("ix_incidents_team_id_channel_id", "incidents", ["team_id", "channel_id"], unique=False)
    op.create_index(
        "uq_incidents_open_channel",
        "incidents",
        ["team_id", "channel_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    shared = (
        op.get_bind()
        .execute(sa.text("SELECT team_id, channel_id FROM incidents GROUP BY team_id, channel_id HAVING COUNT(*) > 1"))
        .first()
    )
    if shared is not None:
        raise RuntimeError(
            f"channel {shared.channel_id} of workspace {shared.team_id} holds more than one incident; "
            "the schema before 0008 allows one per channel, so it cannot be restored without losing one"
        )
    op.drop_index("uq_incidents_open_channel", table_name="incidents")
    op.drop_index("ix_incidents_team_id_channel_id", table_name="incidents")
    with _rebuilding_a_referenced_table(), op.batch_alter_table("incidents") as batch:
        batch.create_unique_constraint("uq_incidents_team_id_channel_id", ["team_id", "channel_id"])
        batch.drop_column("closed_by")
        batch.drop_column("closed_at")
