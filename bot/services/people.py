"""Who typed a command, and the timezone they mean when they type a bare time."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session, sessionmaker

from storage import people

log = logging.getLogger(__name__)

CACHE_FOR = timedelta(hours=12)
UTC_ZONE = ZoneInfo("UTC")

UserFetcher = Callable[[str], tuple[str | None, str | None]]
"""Given a user id, return (display name, IANA timezone) from Slack, or raise."""


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def known_zone(sessions: sessionmaker[Session], *, team_id: str, user_id: str) -> ZoneInfo | None:
    """The zone the cache holds for the user, however old (zones rarely change): no Slack call,
    so the answer path can use it. None when the user was never looked up."""
    with sessions() as session:
        cached = people.cached_user(session, team_id, user_id)
    if cached is None:
        return None
    return _zone(cached.tz) or UTC_ZONE


def is_fresh(sessions: sessionmaker[Session], *, team_id: str, user_id: str, now: datetime) -> bool:
    with sessions() as session:
        cached = people.cached_user(session, team_id, user_id)
    return cached is not None and now - cached.fetched_at < CACHE_FOR


def user_zone(
    sessions: sessionmaker[Session], *, team_id: str, user_id: str, now: datetime, fetch: UserFetcher
) -> ZoneInfo:
    """The user's Slack timezone, from the cache when fresh, else from Slack (then cached).

    If Slack cannot be asked, a stale cached zone is better than none; with nothing at all, UTC.
    """
    with sessions() as session:
        cached = people.cached_user(session, team_id, user_id)
    if cached is not None and now - cached.fetched_at < CACHE_FOR:
        return _zone(cached.tz) or UTC_ZONE
    try:
        name, tz = fetch(user_id)
    except Exception:  # Slack unreachable or the user unknown: fall back, never fail the command
        log.warning("users.info failed for %s; using the cached or UTC zone", user_id, exc_info=True)
        return _zone(cached.tz if cached else None) or UTC_ZONE
    with sessions.begin() as session:
        people.remember_user(session, team_id=team_id, user_id=user_id, name=name, tz=tz, now=now)
    return _zone(tz) or UTC_ZONE


def names_of(session: Session, team_id: str, user_ids: Iterable[str | None]) -> dict[str, str]:
    """The cached display names of these people (user id → name); unknown ones are left out."""
    return people.names_of(session, team_id, {u for u in user_ids if u})
