"""action items, their history, nudges claimed and service SLOs

Revision ID: 0005_action_items_follow_up
Revises: 0004_slack_oauth_stores
Create Date: 2026-11-29 14:47:41.481405
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005_action_items_follow_up"
down_revision: str | Sequence[str] | None = "0004_slack_oauth_stores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_slos",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("target_percent", sa.Float(), nullable=False),
        sa.Column("window_seconds", sa.Integer(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "name", name=op.f("pk_service_slos")),
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rollovers", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_action_items_incident_id_incidents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
    )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.create_index("ix_action_items_incident_id", ["incident_id"], unique=False)
        batch_op.create_index(
            "ix_action_items_team_id_owner_id_status", ["team_id", "owner_id", "status"], unique=False
        )
        batch_op.create_index("ix_action_items_team_id_status", ["team_id", "status"], unique=False)

    op.create_table(
        "action_item_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("old_value", sa.String(length=200), nullable=True),
        sa.Column("new_value", sa.String(length=200), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["action_items.id"],
            name=op.f("fk_action_item_events_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item_events")),
    )
    with op.batch_alter_table("action_item_events", schema=None) as batch_op:
        batch_op.create_index("ix_action_item_events_item_id", ["item_id"], unique=False)

    op.create_table(
        "action_nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["action_items.id"], name=op.f("fk_action_nudges_item_id_action_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_nudges")),
        sa.UniqueConstraint("item_id", "key", name=op.f("uq_action_nudges_item_id_key")),
    )
    with op.batch_alter_table("action_nudges", schema=None) as batch_op:
        batch_op.create_index("ix_action_nudges_run_id", ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_nudges", schema=None) as batch_op:
        batch_op.drop_index("ix_action_nudges_run_id")

    op.drop_table("action_nudges")
    with op.batch_alter_table("action_item_events", schema=None) as batch_op:
        batch_op.drop_index("ix_action_item_events_item_id")

    op.drop_table("action_item_events")
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_team_id_status")
        batch_op.drop_index("ix_action_items_team_id_owner_id_status")
        batch_op.drop_index("ix_action_items_incident_id")

    op.drop_table("action_items")
    op.drop_table("service_slos")
