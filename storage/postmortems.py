"""Versions of the postmortem draft posted for an incident: each post is a numbered version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, cast, func, literal, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, Incident, OutboxMessage
from storage.upsert import insert_for

MAX_VERSION_ATTEMPTS = 5


class PostmortemVersion(Base):
    """One posted version of an incident's draft. ``reason`` is "resolved" or "requested"."""

    __tablename__ = "postmortem_versions"
    __table_args__ = (UniqueConstraint("incident_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    version: Mapped[int]
    full: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


def latest_version(session: Session, incident_id: int) -> int | None:
    return session.scalar(
        select(func.max(PostmortemVersion.version)).where(PostmortemVersion.incident_id == incident_id)
    )


def add_version(
    session: Session, *, incident_id: int, full: bool, reason: str, requested_by: str | None, now: datetime
) -> int:
    """Take the next version number of the incident's draft and return it.

    Two requests at once may pick the same number: the unique key refuses the second, which
    then reads the number again (on PostgreSQL the insert waits for the first to commit).
    """
    for _ in range(MAX_VERSION_ATTEMPTS):
        version = (latest_version(session, incident_id) or 0) + 1
        stmt = (
            insert_for(session, PostmortemVersion)
            .values(
                incident_id=incident_id,
                version=version,
                full=full,
                reason=reason,
                requested_by=requested_by,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["incident_id", "version"])
            .returning(PostmortemVersion.id)
        )
        if session.execute(stmt).scalar() is not None:
            return version
    raise RuntimeError(f"could not take a draft version number for incident {incident_id}")


def versions_without_posts(session: Session, *, incident_id: int | None = None) -> list[PostmortemVersion]:
    """Reserved versions whose summary message is not in the outbox yet (oldest first)."""
    key = (
        literal("draft:")
        + cast(PostmortemVersion.incident_id, String)
        + literal(":v")
        + cast(PostmortemVersion.version, String)
    )
    posted = select(OutboxMessage.id).where(OutboxMessage.team_id == Incident.team_id, OutboxMessage.key == key)
    stmt = (
        select(PostmortemVersion)
        .join(Incident, Incident.id == PostmortemVersion.incident_id)
        .where(~posted.exists())
        .order_by(PostmortemVersion.id)
    )
    if incident_id is not None:
        stmt = stmt.where(PostmortemVersion.incident_id == incident_id)
    return list(session.scalars(stmt))
