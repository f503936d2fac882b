"""each workspace's own review and announcement channels

Revision ID: 0006_workspace_channels
Revises: 0005_action_items_follow_up
Create Date: 2026-11-29 17:18:53.622353
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006_workspace_channels"
down_revision: str | Sequence[str] | None = "0005_action_items_follow_up"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspace_channels",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("chosen_by", sa.String(length=32), nullable=False),
        sa.Column("chosen_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "purpose", name=op.f("pk_workspace_channels")),
    )


def downgrade() -> None:
    op.drop_table("workspace_channels")
