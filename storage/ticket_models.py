"""Models of tickets in a tracker: the ticket linked to each action item, the tracker deliveries
already heard, and each workspace's own tracker account (multi-workspace install)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class ActionItemTicket(Base):
    """The one ticket of an action item. ``state`` is ``pending`` until the tracker made it,
    then ``open``, ``done`` or ``canceled`` as the tracker last said (``failed``: filing gave
    up). Every value from the tracker is data of any length: Text."""

    __tablename__ = "action_item_tickets"
    __table_args__ = (
        UniqueConstraint("item_id"),
        Index("ix_action_item_tickets_tracker_key", "tracker", "key"),
        Index("ix_action_item_tickets_tracker_remote_id", "tracker", "remote_id"),
        Index("ix_action_item_tickets_team_id_state", "team_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    tracker: Mapped[str] = mapped_column(String(16))
    key: Mapped[str | None] = mapped_column(Text)
    """Jira key, GitHub issue number or Linear identifier."""
    url: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(Text)
    """The tracker's own id (Linear's uuid, Jira's numeric id, GitHub's node id)."""
    state: Mapped[str] = mapped_column(String(16))
    remote_state: Mapped[str | None] = mapped_column(Text)
    """The tracker's name for the state (``In Progress``, ``not_planned`` …), shown as data."""
    last_event_at: Mapped[datetime | None]
    """The tracker's time of the last change applied here: older or equal events change nothing."""
    etag: Mapped[str | None] = mapped_column(Text)
    """GitHub's ETag of the issue, for conditional polling."""
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TrackerDelivery(Base):
    """A webhook delivery already stored: a redelivery (same tracker, same delivery) changes nothing."""

    __tablename__ = "tracker_deliveries"

    tracker: Mapped[str] = mapped_column(String(16), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 (hex) of the delivery id the tracker sent, or of the body when it sent none."""
    team_id: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


class TrackerAccount(Base):
    """A workspace's own tracker (``scribe trackers add``): where it is, its token and the
    webhook secret. Kept as given, as the webhook secrets are."""

    __tablename__ = "tracker_accounts"
    __table_args__ = (UniqueConstraint("team_id", "tracker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    tracker: Mapped[str] = mapped_column(String(16))
    site: Mapped[str] = mapped_column(Text)
    """Jira's URL, GitHub's owner/name, Linear's team id."""
    api_url: Mapped[str | None] = mapped_column(Text)
    login: Mapped[str | None] = mapped_column(Text)
    """Jira's email (basic auth); empty for the others."""
    token: Mapped[str] = mapped_column(Text)
    project: Mapped[str | None] = mapped_column(Text)
    webhook_secret: Mapped[str | None] = mapped_column(Text)
    file_new_items: Mapped[bool] = mapped_column(default=False)
    """Whether every new action item of this workspace is filed here (its SCRIBE_TRACKER)."""
    created_at: Mapped[datetime]
