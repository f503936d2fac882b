"""Requests seen once (bot/core/repeats.py), claimed in the transaction of their effect."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.repeats import REPEAT_WINDOW, command_key, view_key
from bot.services.errors import UserFacingError
from storage import request_claims

VIEWS_KEPT_FOR = timedelta(days=2)
"""A view id is claimed for longer than a modal can stay open."""


class Repeated(UserFacingError):
    """This request was already carried out; nothing was done the second time."""


def claim_command(session: Session, *, team_id: str, channel_id: str, user_id: str, text: str, now: datetime) -> None:
    """Raise :class:`Repeated` if the same person typed the same command here moments ago."""
    key = command_key(channel_id=channel_id, user_id=user_id, text=text)
    if not request_claims.claim(session, team_id=team_id, key=key, now=now, since=now - REPEAT_WINDOW):
        seen = request_claims.claimed_at(session, team_id=team_id, key=key)
        when = f" at {seen:%H:%M:%S} UTC" if seen else ""
        raise Repeated(
            f"You typed this same command{when}, moments ago, and it was done once; "
            "I did nothing the second time. `/incident status` shows where things stand."
        )


def claim_view(session: Session, *, team_id: str, view_id: str, now: datetime) -> bool:
    """True the first time a modal's submission is seen; False for a resubmission."""
    return request_claims.claim(session, team_id=team_id, key=view_key(view_id), now=now, since=now - VIEWS_KEPT_FOR)
