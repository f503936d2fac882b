"""alert events from paging and alerting webhooks, their lookup keys, and per-workspace secrets

Every webhook delivery body is kept once (``alert_deliveries``); each event it carries is kept
once per workspace and source (``alert_events``, unique external id) with the handles it can be
linked by (``alert_event_keys``). ``webhook_endpoints`` holds each workspace's own secrets for
the multi-workspace install.

Revision ID: 0009_alert_events
Revises: 0008_close_incidents
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0009_alert_events"
down_revision: str | Sequence[str] | None = "0008_close_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint(
            "team_id", "source", "body_sha256", name=op.f("uq_alert_deliveries_team_id_source_body_sha256")
        ),
    )
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=512), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("group_kind", sa.String(length=16), nullable=False),
        sa.Column("group_value", sa.String(length=512), nullable=False),
        sa.Column("service", sa.String(length=300), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=300), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["alert_deliveries.id"],
            name=op.f("fk_alert_events_delivery_id_alert_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
        sa.UniqueConstraint(
            "team_id", "source", "external_id", name=op.f("uq_alert_events_team_id_source_external_id")
        ),
    )
    op.create_index(op.f("ix_alert_events_delivery_id"), "alert_events", ["delivery_id"], unique=False)
    op.create_index(
        "ix_alert_events_team_id_group",
        "alert_events",
        ["team_id", "source", "group_kind", "group_value"],
        unique=False,
    )
    op.create_table(
        "alert_event_keys",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["alert_events.id"],
            name=op.f("fk_alert_event_keys_event_id_alert_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "kind", "value", name=op.f("pk_alert_event_keys")),
    )
    op.create_index(
        "ix_alert_event_keys_lookup", "alert_event_keys", ["team_id", "source", "kind", "value"], unique=False
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.String(length=300), nullable=False),
        sa.Column("timestamp_header", sa.String(length=100), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
        sa.UniqueConstraint("team_id", "source", "secret", name=op.f("uq_webhook_endpoints_team_id_source_secret")),
    )


def downgrade() -> None:
    op.drop_table("webhook_endpoints")
    op.drop_index("ix_alert_event_keys_lookup", table_name="alert_event_keys")
    op.drop_table("alert_event_keys")
    op.drop_index("ix_alert_events_team_id_group", table_name="alert_events")
    op.drop_index(op.f("ix_alert_events_delivery_id"), table_name="alert_events")
    op.drop_table("alert_events")
    op.drop_table("alert_deliveries")
