"""Who the bot is in its workspace, as Slack's ``auth.test`` last said (single-token install)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class WorkspaceIdentity(Base):
    """One row per bot token (``token_key`` is a SHA-256 digest of it, never the token): another
    token, another row. ``bot_user_id``/``bot_id`` stay NULL until ``auth.test`` has answered;
    ``learned_at`` is when it did (NULL: only the team id is known, from a signed request)."""

    __tablename__ = "workspace_identities"

    token_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    bot_id: Mapped[str | None] = mapped_column(String(32))
    learned_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
