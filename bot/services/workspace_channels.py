"""Use cases behind ``/incident review|announce|stakeholders [here|off]`` and the posts that follow them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.channels import Choice, ConfiguredChannels, destination
from bot.settings import Settings
from storage import workspace_channels as repo

SETTING = {
    "review": "SCRIBE_REVIEW_CHANNEL",
    "announce": "SCRIBE_ANNOUNCE_CHANNEL",
    "stakeholders": "SCRIBE_STAKEHOLDER_CHANNEL",
}


def configured(settings: Settings, purpose: str) -> ConfiguredChannels:
    raw = {
        "review": settings.review_channel,
        "announce": settings.announce_channel,
        "stakeholders": settings.stakeholder_channel,
    }[purpose]
    return ConfiguredChannels.parse(raw, name=SETTING[purpose])


def channel_for(session: Session, settings: Settings, *, team_id: str, purpose: str, one_workspace: bool) -> str | None:
    """Where this workspace's posts of this purpose go now, or None."""
    row = repo.choice(session, team_id=team_id, purpose=purpose)
    choice = Choice(row.channel_id) if row is not None else None
    return destination(team_id, choice=choice, configured=configured(settings, purpose), one_workspace=one_workspace)


def choose(
    session: Session, *, team_id: str, purpose: str, channel_id: str | None, user_id: str, now: datetime
) -> None:
    repo.choose(session, team_id=team_id, purpose=purpose, channel_id=channel_id, user_id=user_id, now=now)
