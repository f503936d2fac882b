"""who may read which incident channel on the web pages, as Slack last said

Revision ID: 0013_ui_channel_access
Revises: 0012_ui_indexes
Create Date: 2026-12-02 14:01:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013_ui_channel_access"
down_revision: str | Sequence[str] | None = "0012_ui_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ui_channel_access",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel_id", "user_id", name=op.f("pk_ui_channel_access")),
    )
    op.create_table(
        "ui_access_refreshes",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("refreshed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_ui_access_refreshes")),
    )


def downgrade() -> None:
    op.drop_table("ui_access_refreshes")
    op.drop_table("ui_channel_access")
