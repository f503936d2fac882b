"""Who the bot is in a workspace: what ``auth.test`` answers, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Identity:
    team_id: str
    enterprise_id: str | None
    bot_user_id: str | None
    bot_id: str | None
    learned_at: datetime | None
    """When ``auth.test`` answered; None when only the team is known (from a signed request)."""
