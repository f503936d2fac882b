"""the single-token install's workspace identity, kept so no request asks Slack for it

Revision ID: 0015_workspace_identity
Revises: 0014_unbounded_outside_text
Create Date: 2026-12-08 01:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0015_workspace_identity"
down_revision: str | Sequence[str] | None = "0014_unbounded_outside_text"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspace_identities",
        sa.Column("token_key", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("bot_user_id", sa.String(length=32), nullable=True),
        sa.Column("bot_id", sa.String(length=32), nullable=True),
        sa.Column("learned_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_key", name=op.f("pk_workspace_identities")),
    )


def downgrade() -> None:
    op.drop_table("workspace_identities")
