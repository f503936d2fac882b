"""Who may see which incident channel on the web pages, as Slack last told us.

``ChannelAccess`` holds one row per channel a person may read: ``user_id`` ``""`` marks a
public channel the bot is in (every full member of the workspace may read it), a user id a
private channel that person and the bot are both in (for a guest: every channel they are in).
A channel with no row is shown to nobody: a channel made after the last look is hidden until
the next one, never shown by mistake.
``AccessRefresh`` says when each list was last read from Slack (``user_id`` ``""``: the bot's).
``WebPerson``, ``RefreshClaim`` and ``WebSession`` hold who signed in, what Slack says of them,
who is asking Slack about them now, and their sessions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

PUBLIC = ""
"""The ``user_id`` of a row that lets everyone in the workspace read the channel."""


class ChannelAccess(Base):
    __tablename__ = "ui_channel_access"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class AccessRefresh(Base):
    __tablename__ = "ui_access_refreshes"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    refreshed_at: Mapped[datetime]


class WebPerson(Base):
    """What Slack last said of a person who signed in to the pages (``users.info``): a guest
    (``is_restricted`` or ``is_ultra_restricted``) reads only the channels they are in, never
    every public one; a deactivated account (``deleted``) reads nothing."""

    __tablename__ = "ui_people"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    guest: Mapped[bool]
    deleted: Mapped[bool]
    checked_at: Mapped[datetime]


class RefreshClaim(Base):
    """Which web process is reading a person's lists from Slack, since when: one at a time per
    (workspace, person) across every process, and a failed read is not retried at once."""

    __tablename__ = "ui_refresh_claims"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claimed_at: Mapped[datetime]


class WebSession(Base):
    """A signed-in session, on the server: the cookie carries a random token whose SHA-256 is
    ``id``. It ends at ``expires_at`` (12 hours after sign-in, however much it is used), at
    sign-out, or when Slack says the account is deactivated (``ended_at``)."""

    __tablename__ = "ui_sessions"
    __table_args__ = (Index("ix_ui_sessions_person", "team_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
