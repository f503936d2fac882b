"""indexes the web pages read by: a workspace's incidents newest first, a thread's replies

Revision ID: 0012_ui_indexes
Revises: 0011_timeline_curation
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012_ui_indexes"
down_revision: str | Sequence[str] | None = "0011_timeline_curation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_incidents_team_id_started_at", "incidents", ["team_id", "started_at"])
    op.create_index("ix_messages_incident_id_thread_ts", "messages", ["incident_id", "thread_ts"])


def downgrade() -> None:
    op.drop_index("ix_messages_incident_id_thread_ts", table_name="messages")
    op.drop_index("ix_incidents_team_id_started_at", table_name="incidents")
