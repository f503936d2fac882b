"""Who may see which incident channel on the web pages, as Slack last told us.

``ChannelAccess`` holds one row per channel a person may read: ``user_id`` ``""`` marks a
public channel the bot is in (anyone in the workspace may read it), a user id a private
channel that person and the bot are both in. A channel with no row is shown to nobody: a
channel made after the last look is hidden until the next one, never shown by mistake.
``AccessRefresh`` says when each list was last read from Slack (``user_id`` ``""``: the bot's).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
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
