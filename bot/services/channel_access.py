"""Who may see which incident on the web pages: anyone in the workspace an incident of a
public channel, only its members one of a private channel.

Slack is asked when someone signs in, and again after a page has been answered once what it
said is older than ``FRESH_FOR``: pages read the lists from the database and never wait on
Slack. A channel Slack has not listed yet is shown to nobody until the next look.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from storage import channel_access as repo
from storage import incidents as incident_repo
from storage.access_models import PUBLIC

FRESH_FOR = timedelta(minutes=5)


class Lists(Protocol):
    """What Slack says of one workspace's channels (bot/slack/signin.py reads it)."""

    @property
    def public(self) -> Iterable[str]: ...
    @property
    def private_of(self) -> Callable[[str], Iterable[str]]: ...
    @property
    def workspace_name(self) -> str | None: ...
    @property
    def workspace_url(self) -> str | None: ...


def is_stale(session: Session, *, team_id: str, user_id: str, now: datetime) -> bool:
    for who in (PUBLIC, user_id):
        seen = repo.refreshed_at(session, team_id, who)
        if seen is None or now - seen > FRESH_FOR:
            return True
    return False


def refresh(
    sessions: sessionmaker[Session],
    *,
    team_id: str,
    user_id: str,
    lists_for: Callable[[str], Lists | None],
    now: datetime,
) -> None:
    """Read both lists from Slack (outside any transaction), then replace them in one."""
    lists = lists_for(team_id)
    public = set(lists.public) if lists else set()
    private = set(lists.private_of(user_id)) if lists else set()
    with sessions.begin() as session:
        repo.replace_channels(session, team_id=team_id, user_id=PUBLIC, channels=public, now=now)
        repo.replace_channels(session, team_id=team_id, user_id=user_id, channels=private - public, now=now)
        if lists and lists.workspace_url and not incident_repo.workspace_url(session, team_id):
            incident_repo.remember_workspace(
                session, team_id=team_id, name=lists.workspace_name, url=lists.workspace_url, now=now
            )
