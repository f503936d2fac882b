"""alert links, routes and route declarations: joining alert events to incidents

``alert_links`` holds the alert handles linked to each incident (typed, found in a recorded
message, or set by a route); an incident's alerts are the events carrying one of them.
``alert_routes`` declare incidents from matching triggers; ``alert_declarations`` is the unique
key that makes one alert thread declare at most one incident.

Revision ID: 0010_alert_links_routes
Revises: 0009_alert_events
Create Date: 2026-12-02 14:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010_alert_links_routes"
down_revision: str | Sequence[str] | None = "0009_alert_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("matches", sa.JSON(), nullable=False),
        sa.Column("match_text", sa.String(length=1000), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_routes")),
        sa.UniqueConstraint("team_id", "source", "match_text", name=op.f("uq_alert_routes_team_id_source_match_text")),
    )
    op.create_table(
        "alert_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_alert_links_incident_id_incidents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_links")),
        sa.UniqueConstraint(
            "incident_id", "source", "kind", "value", name=op.f("uq_alert_links_incident_id_source_kind_value")
        ),
    )
    op.create_index("ix_alert_links_team_id_key", "alert_links", ["team_id", "source", "kind", "value"], unique=False)
    op.create_table(
        "alert_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("group_kind", sa.String(length=16), nullable=False),
        sa.Column("group_value", sa.String(length=512), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["alert_events.id"],
            name=op.f("fk_alert_declarations_event_id_alert_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_alert_declarations_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["alert_routes.id"],
            name=op.f("fk_alert_declarations_route_id_alert_routes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_declarations")),
        sa.UniqueConstraint(
            "team_id",
            "source",
            "group_kind",
            "group_value",
            name=op.f("uq_alert_declarations_team_id_source_group_kind_group_value"),
        ),
    )


def downgrade() -> None:
    op.drop_table("alert_declarations")
    op.drop_index("ix_alert_links_team_id_key", table_name="alert_links")
    op.drop_table("alert_links")
    op.drop_table("alert_routes")
