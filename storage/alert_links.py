"""Links between incidents and alert events, routes, and route declarations. Callers own the
transaction; every write is decided by a unique key."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.core.alert_events import AlertAction, AlertEvent, AlertKey, AlertSource
from bot.core.alert_links import RouteSpec
from storage.alert_link_models import AlertDeclaration, AlertLink, AlertRoute
from storage.alert_models import AlertEventKey, StoredAlert
from storage.digest import sha256_hex
from storage.models import Incident
from storage.upsert import insert_for

LOOK_BACK = timedelta(hours=24)
"""How long before an incident started its links still find events: an alertname links the
alert that began this incident, not the same alert firing last month."""


def add_link(
    session: Session,
    *,
    incident_id: int,
    team_id: str,
    key: AlertKey,
    label: str,
    via: str,
    user_id: str | None,
    now: datetime,
    restore: bool,
) -> bool:
    """Link ``key`` to the incident; True when that is new. ``restore`` brings back a link that was
    removed (a typed ``/incident link``); without it (a message, a route) a removed link stays removed."""
    stmt = (
        insert_for(session, AlertLink)
        .values(
            incident_id=incident_id,
            team_id=team_id,
            source=str(key.source),
            kind=key.kind,
            value=key.value,
            value_sha256=sha256_hex(key.value),
            label=label,
            via=via,
            created_by=user_id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["incident_id", "source", "kind", "value_sha256"])
        .returning(AlertLink.id)
    )
    if session.execute(stmt).scalar() is not None:
        return True
    if not restore:
        return False
    result = session.execute(
        update(AlertLink)
        .where(
            AlertLink.incident_id == incident_id,
            AlertLink.source == str(key.source),
            AlertLink.kind == key.kind,
            AlertLink.value_sha256 == sha256_hex(key.value),
            AlertLink.removed_at.is_not(None),
        )
        .values(removed_at=None, removed_by=None, label=label, via=via, created_by=user_id, created_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def links_of(session: Session, incident_id: int) -> Sequence[AlertLink]:
    """The incident's current links, in the order they were made."""
    return session.scalars(
        select(AlertLink)
        .where(AlertLink.incident_id == incident_id, AlertLink.removed_at.is_(None))
        .order_by(AlertLink.created_at, AlertLink.id)
    ).all()


def remove_links(session: Session, link_ids: Iterable[int], *, user_id: str, now: datetime) -> int:
    ids = list(link_ids)
    if not ids:
        return 0
    result = session.execute(
        update(AlertLink)
        .where(AlertLink.id.in_(ids), AlertLink.removed_at.is_(None))
        .values(removed_at=now, removed_by=user_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def linked_events(session: Session, incident: Incident) -> list[AlertEvent]:
    """The events carrying one of the incident's current keys, from a day before it started until
    it was closed, oldest first, each once."""
    link = and_(
        AlertLink.team_id == AlertEventKey.team_id,
        AlertLink.source == AlertEventKey.source,
        AlertLink.kind == AlertEventKey.kind,
        AlertLink.value_sha256 == AlertEventKey.value_sha256,
    )
    ids = (
        select(AlertEventKey.event_id)
        .join(AlertLink, link)
        .where(AlertLink.incident_id == incident.id, AlertLink.removed_at.is_(None))
    )
    stmt = select(StoredAlert).where(
        StoredAlert.id.in_(ids),
        StoredAlert.team_id == incident.team_id,
        StoredAlert.at >= incident.started_at - LOOK_BACK,
    )
    if incident.closed_at is not None:
        stmt = stmt.where(StoredAlert.at <= incident.closed_at)
    rows = session.scalars(stmt.order_by(StoredAlert.at, StoredAlert.id)).all()
    keys: dict[int, set[AlertKey]] = {}
    if rows:
        found = session.execute(
            select(AlertEventKey.event_id, AlertEventKey.source, AlertEventKey.kind, AlertEventKey.value).where(
                AlertEventKey.event_id.in_(ids)
            )
        )
        for event_id, source, kind, value in found:
            keys.setdefault(event_id, set()).add(AlertKey(AlertSource(source), kind, value))
    return [as_event(row, keys.get(row.id, ())) for row in rows]


def as_event(row: StoredAlert, keys: Iterable[AlertKey] = ()) -> AlertEvent:
    source = AlertSource(row.source)
    return AlertEvent(
        source=source,
        external_id=row.external_id,
        action=AlertAction(row.action),
        at=row.at,
        title=row.title,
        group=AlertKey(source, row.group_kind, row.group_value),
        keys=frozenset(keys),
        service=row.service,
        link=row.link,
        by=row.by,
        fields=dict(row.fields or {}),
    )


def incidents_linked_to(session: Session, *, team_id: str, keys: Iterable[AlertKey]) -> Sequence[int]:
    """Open incidents that hold a current link to any of ``keys``."""
    conditions = [
        and_(
            AlertLink.source == str(key.source),
            AlertLink.kind == key.kind,
            AlertLink.value_sha256 == sha256_hex(key.value),
        )
        for key in keys
    ]
    if not conditions:
        return []
    return session.scalars(
        select(AlertLink.incident_id)
        .join(Incident, Incident.id == AlertLink.incident_id)
        .where(AlertLink.team_id == team_id, AlertLink.removed_at.is_(None), Incident.closed_at.is_(None))
        .where(or_(*conditions))
        .distinct()
    ).all()


# Routes ------------------------------------------------------------------------------------------


def match_text(route: RouteSpec) -> str:
    return " ".join(sorted(f"{name}={value}" for name, value in route.matches))


def add_route(session: Session, *, team_id: str, route: RouteSpec, now: datetime) -> tuple[int, bool]:
    """Add the route unless the same one exists (its severity is then updated); (its id, whether new)."""
    text = match_text(route)
    stmt = insert_for(session, AlertRoute).values(
        team_id=team_id,
        source=str(route.source),
        matches=[list(pair) for pair in route.matches],
        match_text=text,
        match_text_sha256=sha256_hex(text),
        severity=route.severity,
        created_at=now,
    )
    new_id = session.execute(
        stmt.on_conflict_do_nothing(index_elements=["team_id", "source", "match_text_sha256"]).returning(AlertRoute.id)
    ).scalar()
    if new_id is not None:
        return new_id, True
    row = session.scalars(
        select(AlertRoute).where(
            AlertRoute.team_id == team_id,
            AlertRoute.source == str(route.source),
            AlertRoute.match_text_sha256 == sha256_hex(text),
        )
    ).one()
    row.severity = route.severity
    return row.id, False


def routes(
    session: Session, *, team_id: str | None = None, source: AlertSource | None = None
) -> list[tuple[int, str, RouteSpec]]:
    """``(id, team_id, RouteSpec)`` for every route (of a workspace, of a source), oldest first."""
    stmt = select(AlertRoute).order_by(AlertRoute.id)
    if team_id is not None:
        stmt = stmt.where(AlertRoute.team_id == team_id)
    if source is not None:
        stmt = stmt.where(AlertRoute.source == str(source))
    return [
        (
            row.id,
            row.team_id,
            RouteSpec(AlertSource(row.source), tuple((name, value) for name, value in row.matches), row.severity),
        )
        for row in session.scalars(stmt)
    ]


def remove_route(session: Session, *, route_id: int, team_id: str | None = None) -> bool:
    row = session.get(AlertRoute, route_id)
    if row is None or (team_id is not None and row.team_id != team_id):
        return False
    session.delete(row)
    return True


def claim_declaration(
    session: Session, *, team_id: str, group: AlertKey, route_id: int, event_id: int, now: datetime
) -> int | None:
    """Claim the alert thread for one declared incident; its id, or None when it was claimed before."""
    stmt = (
        insert_for(session, AlertDeclaration)
        .values(
            team_id=team_id,
            source=str(group.source),
            group_kind=group.kind,
            group_value=group.value,
            group_sha256=sha256_hex(group.value),
            route_id=route_id,
            event_id=event_id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "source", "group_kind", "group_sha256"])
        .returning(AlertDeclaration.id)
    )
    return session.execute(stmt).scalar()


def declared_incident(session: Session, declaration_id: int, incident_id: int) -> None:
    session.execute(
        update(AlertDeclaration)
        .where(AlertDeclaration.id == declaration_id)
        .values(incident_id=incident_id)
        .execution_options(synchronize_session=False)
    )
