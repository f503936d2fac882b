"""tickets in a tracker linked to action items

Revision ID: 0017_action_item_tickets
Revises: 0016_ui_sessions
Create Date: 2026-12-08 01:22:43
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0017_action_item_tickets"
down_revision: str | Sequence[str] | None = "0016_ui_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracker_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("tracker", sa.String(length=16), nullable=False),
        sa.Column("site", sa.Text(), nullable=False),
        sa.Column("api_url", sa.Text(), nullable=True),
        sa.Column("login", sa.Text(), nullable=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("project", sa.Text(), nullable=True),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
        sa.Column("file_new_items", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_accounts")),
        sa.UniqueConstraint("team_id", "tracker", name=op.f("uq_tracker_accounts_team_id_tracker")),
    )
    op.create_table(
        "tracker_deliveries",
        sa.Column("tracker", sa.String(length=16), nullable=False),
        sa.Column("delivery", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tracker", "delivery", name=op.f("pk_tracker_deliveries")),
    )
    op.create_table(
        "action_item_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("tracker", sa.String(length=16), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("remote_id", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("remote_state", sa.Text(), nullable=True),
        sa.Column("last_event_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["action_items.id"],
            name=op.f("fk_action_item_tickets_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item_tickets")),
        sa.UniqueConstraint("item_id", name=op.f("uq_action_item_tickets_item_id")),
    )
    with op.batch_alter_table("action_item_tickets", schema=None) as batch_op:
        batch_op.create_index("ix_action_item_tickets_team_id_state", ["team_id", "state"], unique=False)
        batch_op.create_index("ix_action_item_tickets_tracker_key", ["tracker", "key"], unique=False)
        batch_op.create_index("ix_action_item_tickets_tracker_remote_id", ["tracker", "remote_id"], unique=False)

    with op.batch_alter_table("action_item_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("action_item_events", schema=None) as batch_op:
        batch_op.drop_column("origin")

    with op.batch_alter_table("action_item_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_action_item_tickets_tracker_remote_id")
        batch_op.drop_index("ix_action_item_tickets_tracker_key")
        batch_op.drop_index("ix_action_item_tickets_team_id_state")

    op.drop_table("action_item_tickets")
    op.drop_table("tracker_deliveries")
    op.drop_table("tracker_accounts")
