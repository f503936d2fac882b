"""Who may see which incident on the web pages: anyone in the workspace an incident of a
public channel, only its members one of a private channel; a guest (``is_restricted`` or
``is_ultra_restricted``) only those of channels they are in, public or private.

Pages read what is stored and never wait on Slack. The lists and what Slack says of the
person (``users.info``: guest, deactivated) are read from Slack off the page's path, by the
pages' own pool (bot/ui/refresher.py): after sign-in, and again once they are older than
``FRESH_FOR``. While nothing is known of a person, or it is older than ``RECHECK_WITHIN``,
their pages show nothing and say it is being read: a deactivated account stops working within
the hour even when nobody used it in between. A channel Slack has not listed yet is shown to
nobody until the next look.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from storage import channel_access as repo
from storage import incidents as incident_repo
from storage import web_sessions
from storage.access_models import PUBLIC

FRESH_FOR = timedelta(minutes=5)
RECHECK_WITHIN = timedelta(hours=1)
CLAIM_FOR = timedelta(minutes=1)
"""How long one web process's read of a person's lists keeps the others from starting one
(and, when it failed, from asking Slack again at once)."""


@dataclass(frozen=True)
class Standing:
    """What ``users.info`` says of a person."""

    guest: bool
    deleted: bool


class Lists(Protocol):
    """What Slack says of one workspace's channels and people (bot/slack/signin.py reads it)."""

    @property
    def public(self) -> Iterable[str]: ...
    @property
    def private_of(self) -> Callable[[str], Iterable[str]]: ...
    @property
    def member_of(self) -> Callable[[str], Iterable[str]]: ...
    @property
    def standing_of(self) -> Callable[[str], Standing]: ...
    @property
    def workspace_name(self) -> str | None: ...
    @property
    def workspace_url(self) -> str | None: ...


@dataclass(frozen=True)
class Access:
    """Where a signed-in person stands, from the database alone."""

    ready: bool
    """Their lists are known and Slack said within ``RECHECK_WITHIN`` that their account is active."""
    stale: bool
    """Slack should be asked again (off the page's path)."""
    deleted: bool


def access_of(session: Session, *, team_id: str, user_id: str, now: datetime) -> Access:
    known = repo.person(session, team_id, user_id)
    seen = [repo.refreshed_at(session, team_id, who) for who in (PUBLIC, user_id)]
    stale = known is None or now - known.checked_at > FRESH_FOR
    stale = stale or any(at is None or now - at > FRESH_FOR for at in seen)
    deleted = known is not None and known.deleted
    ready = (
        known is not None
        and not deleted
        and now - known.checked_at <= RECHECK_WITHIN
        and all(at is not None for at in seen)
    )
    return Access(ready=ready, stale=stale, deleted=deleted)


def refresh(
    sessions: sessionmaker[Session],
    *,
    team_id: str,
    user_id: str,
    lists_for: Callable[[str], Lists | None],
    now: Callable[[], datetime],
) -> None:
    """Ask Slack (outside any transaction), then replace what is stored in one. Where this
    install has no bot, nothing is readable and the person is kept to their own (empty) list.
    Nothing is asked while another process's read of the same person is under way."""
    with sessions.begin() as session:
        if not repo.claim_refresh(session, team_id=team_id, user_id=user_id, now=now(), hold=CLAIM_FOR):
            return
    lists = lists_for(team_id)
    standing = lists.standing_of(user_id) if lists else Standing(guest=True, deleted=False)
    public = set(lists.public) if lists else set()
    own: set[str] = set()
    if lists and not standing.deleted:
        own = set(lists.member_of(user_id)) if standing.guest else set(lists.private_of(user_id)) - public
    at = now()
    with sessions.begin() as session:
        repo.replace_channels(session, team_id=team_id, user_id=PUBLIC, channels=public, now=at)
        repo.replace_channels(session, team_id=team_id, user_id=user_id, channels=own, now=at)
        repo.remember_person(
            session, team_id=team_id, user_id=user_id, guest=standing.guest, deleted=standing.deleted, now=at
        )
        if standing.deleted:
            web_sessions.end_all_of(session, team_id=team_id, user_id=user_id, now=at)
        if lists and lists.workspace_url and not incident_repo.workspace_url(session, team_id):
            incident_repo.remember_workspace(
                session, team_id=team_id, name=lists.workspace_name, url=lists.workspace_url, now=at
            )
