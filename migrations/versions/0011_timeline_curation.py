"""timeline curation: the append-only change log of stars, hides and corrections

Revision ID: 0011_timeline_curation
Revises: 0010_alert_links_routes
Create Date: 2026-12-02 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011_timeline_curation"
down_revision: str | Sequence[str] | None = "0010_alert_links_routes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "timeline_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("corrected_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("undoes", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_timeline_changes_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_changes")),
        sa.UniqueConstraint(
            "incident_id", "entry_id", "seq", name=op.f("uq_timeline_changes_incident_id_entry_id_seq")
        ),
    )


def downgrade() -> None:
    op.drop_table("timeline_changes")
