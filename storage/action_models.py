"""Models of the follow-up: action items, their history, the nudges claimed, service SLOs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class ActionItem(Base):
    """One action item of an incident. ``rollovers`` counts the times its due date moved later."""

    __tablename__ = "action_items"
    __table_args__ = (
        Index("ix_action_items_team_id_status", "team_id", "status"),
        Index("ix_action_items_team_id_owner_id_status", "team_id", "owner_id", "status"),
        Index("ix_action_items_incident_id", "incident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    owner_id: Mapped[str | None] = mapped_column(String(32))
    due: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    rollovers: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(32))


class ActionItemEvent(Base):
    """The history of an item: created, done, reopened, due_moved, reassigned."""

    __tablename__ = "action_item_events"
    __table_args__ = (Index("ix_action_item_events_item_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str | None] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]
    origin: Mapped[str | None] = mapped_column(String(16))
    """Where the change came from: ``jira``, ``github``, ``linear``; None for Slack and the web pages."""


class ActionNudge(Base):
    """A nudge claimed for an item. The unique (item, key) is what makes each nudge go out once:
    the claim and the outbox row are written in one transaction, and a second claim of the same
    key (a rerun, another scheduler) inserts nothing."""

    __tablename__ = "action_nudges"
    __table_args__ = (UniqueConstraint("item_id", "key"), Index("ix_action_nudges_run_id", "run_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[str] = mapped_column(String(36))
    """The scheduler pass that claimed it: how a pass finds the claims it won."""
    created_at: Mapped[datetime]


class ServiceSlo(Base):
    """A service's SLO. ``team_id`` '*' applies to every workspace of this install."""

    __tablename__ = "service_slos"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    target_percent: Mapped[float] = mapped_column(Float)
    window_seconds: Mapped[int]
    updated_at: Mapped[datetime]
