"""What the people running an incident record while it burns: who holds which role (with
every handoff kept), the status updates they post, and a snoozed update reminder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class IncidentRole(Base):
    """A role given to someone. Giving it again supersedes the row, which stays as history;
    at most one current holder per role. No commander row: whoever started the incident."""

    __tablename__ = "incident_roles"
    __table_args__ = (
        Index(
            "uq_incident_roles_current",
            "incident_id",
            "role",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(32))
    assigned_by: Mapped[str | None] = mapped_column(String(32))
    assigned_at: Mapped[datetime]
    superseded_at: Mapped[datetime | None]


class StatusUpdate(Base):
    """A status update as posted: the status (or the whole text typed after ``update``) and,
    from the form, impact, next steps and when the next one is promised (minutes)."""

    __tablename__ = "status_updates"
    __table_args__ = (Index("ix_status_updates_incident_id_at", "incident_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime]
    status: Mapped[str] = mapped_column(Text)
    impact: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    next_update_minutes: Mapped[int | None]


class UpdateSnooze(Base):
    """The update reminder of an incident is quiet until ``until`` (the Snooze button)."""

    __tablename__ = "update_snoozes"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    until: Mapped[datetime]
    snoozed_by: Mapped[str] = mapped_column(String(32))
