"""SQLAlchemy 2 typed models. Every datetime column is aware UTC (``UTCDateTime``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Workspace(Base):
    """What we know of a Slack workspace that talks to us (for permalinks and display)."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]


class WorkspaceChannel(Base):
    """A workspace's own choice of channel for one purpose (``review``, ``announce``); a NULL
    channel means "off". No row: the operator's setting applies (bot/core/channels.py)."""

    __tablename__ = "workspace_channels"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    chosen_by: Mapped[str] = mapped_column(String(32))
    chosen_at: Mapped[datetime]


class Incident(Base):
    """An incident in a channel: from its start until it is closed, every message there is recorded.

    A channel has at most one open incident (``closed_at`` NULL) and any number of closed ones
    before it; reads pick the open one, else the most recent (storage/incidents.py).
    """

    __tablename__ = "incidents"
    __table_args__ = (
        Index(
            "uq_incidents_open_channel",
            "team_id",
            "channel_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_incidents_team_id_channel_id", "team_id", "channel_id"),
        Index("ix_incidents_team_id_started_at", "team_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    """Typed titles are refused over their limit (bot/core/grammar.py); an imported channel's
    purpose or name is kept whole."""
    severity: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="active")
    service: Mapped[str | None] = mapped_column(String(100))
    started_by: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    """When recording stopped (``/incident close``); NULL while the incident is open."""
    closed_by: Mapped[str | None] = mapped_column(String(32))


class Message(Base):
    """One Slack message in an incident channel, in its latest known state.

    ``ts`` is the original Slack string (unique per channel); ``posted_at`` is derived from it
    without floating point. A deleted message keeps its row (so a late redelivery cannot bring
    it back) but loses its text.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "ts"),
        Index("ix_messages_incident_id_posted_at", "incident_id", "posted_at"),
        Index("ix_messages_incident_id_thread_ts", "incident_id", "thread_ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32))
    bot_id: Mapped[str | None] = mapped_column(String(32))
    bot_name: Mapped[str | None] = mapped_column(Text)
    subtype: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    files: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    """File names and links; SQL NULL (not JSON null) when there are none, which is cheaper to read."""
    posted_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16), default="live")


class KeyMark(Base):
    """A 📌 reaction (one row per reacting user) or a pin (one row, user '') on a message."""

    __tablename__ = "key_marks"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "ts", "kind", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime]


class PhaseMark(Base):
    """A phase marker. Marking a phase again supersedes the earlier row, which stays as history."""

    __tablename__ = "phase_marks"
    __table_args__ = (
        Index(
            "uq_phase_marks_current",
            "incident_id",
            "phase",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    superseded_at: Mapped[datetime | None]


class Entry(Base):
    """Text someone added to the record on purpose: a note, impact, cause, factor, went-well…"""

    __tablename__ = "entries"
    __table_args__ = (Index("ix_entries_incident_id_kind", "incident_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime]


class SlackUser(Base):
    """A cache of ``users.info``: the zone a person means when they type a bare time."""

    __tablename__ = "slack_users"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    tz: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime]


class ClaimedQueue:
    """The columns of a queue whose rows are claimed before they are worked on: ``key`` (unique
    per workspace) makes queueing the same thing again change nothing; a claim sets ``state``,
    ``claimed_at`` and a fresh ``claim_token``, and only that claimer may finish the row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    not_before: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(36))
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(ClaimedQueue, Base):
    """A Web API post we owe Slack: written in the same transaction as the change that causes it,
    delivered afterwards, retried until it lands, and never sent twice (see bot/services/outbox.py).

    ``key`` is the idempotency key: enqueueing the same key again changes nothing.
    state: pending → sending → sent; or failed (gave up) / uncertain (an attempt that may have
    landed, after a crash or a lost answer, that could not be verified either way: never resent).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        Index("ix_outbox_state_not_before", "state", "not_before"),
    )

    channel: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None]


class DeferredWork(ClaimedQueue, Base):
    """Work accepted in an answer that needs Slack, done after the answer (see
    bot/services/deferred.py): a command waiting for the typist's zone, a declare, a backfill.

    Written in the answer's transaction, so what was accepted survives a crash after the
    answer; ``key`` makes accepting it again change nothing.
    state: pending → running → done; or failed (gave up, the person was told).
    """

    __tablename__ = "deferred_work"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        Index("ix_deferred_work_state_not_before", "state", "not_before"),
    )

    finished_at: Mapped[datetime | None]


class RequestClaim(Base):
    """A request seen once: the same command typed again within a short window by the same
    person in the same channel (``cmd:…``), or a modal submitted again (``view:…``), finds its
    key taken and does nothing the second time."""

    __tablename__ = "request_claims"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    claimed_at: Mapped[datetime]
