"""Reading and replacing the channel-access lists and what Slack says of each person
(storage/access_models.py). Never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from storage.access_models import PUBLIC, AccessRefresh, ChannelAccess, RefreshClaim, WebPerson
from storage.models import Incident
from storage.upsert import insert_for


def replace_channels(session: Session, *, team_id: str, user_id: str, channels: Iterable[str], now: datetime) -> None:
    """The channels ``user_id`` (``PUBLIC``: everyone) may read are now exactly ``channels``."""
    session.execute(delete(ChannelAccess).where(ChannelAccess.team_id == team_id, ChannelAccess.user_id == user_id))
    rows = [{"team_id": team_id, "channel_id": c, "user_id": user_id} for c in sorted(set(channels))]
    if rows:
        session.execute(insert_for(session, ChannelAccess).values(rows).on_conflict_do_nothing())
    stmt = insert_for(session, AccessRefresh).values(team_id=team_id, user_id=user_id, refreshed_at=now)
    session.execute(stmt.on_conflict_do_update(index_elements=["team_id", "user_id"], set_={"refreshed_at": now}))


def refreshed_at(session: Session, team_id: str, user_id: str) -> datetime | None:
    return session.scalar(
        select(AccessRefresh.refreshed_at).where(AccessRefresh.team_id == team_id, AccessRefresh.user_id == user_id)
    )


def claim_refresh(session: Session, *, team_id: str, user_id: str, now: datetime, hold: timedelta) -> bool:
    """True when this caller may read the person's lists now: nobody claimed them within ``hold``."""
    stmt = insert_for(session, RefreshClaim).values(team_id=team_id, user_id=user_id, claimed_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["team_id", "user_id"],
        set_={"claimed_at": now},
        where=RefreshClaim.claimed_at <= now - hold,
    )
    return session.execute(stmt.returning(RefreshClaim.claimed_at)).first() is not None


def remember_person(session: Session, *, team_id: str, user_id: str, guest: bool, deleted: bool, now: datetime) -> None:
    values = {"guest": guest, "deleted": deleted, "checked_at": now}
    stmt = insert_for(session, WebPerson).values(team_id=team_id, user_id=user_id, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["team_id", "user_id"], set_=values))


def person(session: Session, team_id: str, user_id: str) -> WebPerson | None:
    return session.get(WebPerson, (team_id, user_id))


def readable_by(team_id: str, user_id: str) -> Any:
    """A condition on ``Incident``: of this workspace, in a channel this person may read. The
    public channels' rows count only for someone Slack said is a full member (not a guest, not
    deactivated); a person Slack has not been asked about yet reads nothing."""

    def listed(who: str) -> Any:
        return exists().where(
            ChannelAccess.team_id == Incident.team_id,
            ChannelAccess.channel_id == Incident.channel_id,
            ChannelAccess.user_id == who,
        )

    member = exists().where(
        WebPerson.team_id == team_id,
        WebPerson.user_id == user_id,
        WebPerson.guest.is_(False),
        WebPerson.deleted.is_(False),
    )
    return (Incident.team_id == team_id) & (listed(user_id) | (member & listed(PUBLIC)))
