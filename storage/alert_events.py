"""Alert events kept per workspace: stored once each, found again by any of their keys.

Nothing here commits: the caller owns the transaction (bot/services/alert_intake.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.core.alert_events import AlertEvent, AlertKey, AlertSource
from storage.alert_models import AlertDelivery, AlertEventKey, StoredAlert
from storage.digest import sha256_hex
from storage.upsert import insert_for

_STATEMENTS: dict[tuple[str, str], Any] = {}


def _statement(session: Session, name: str) -> Any:
    """The insert statements, built once per dialect: built on every delivery, SQLAlchemy's
    statement construction cost more than the database round trips (bench/webhooks.py)."""
    dialect = session.get_bind().dialect.name
    key = (dialect, name)
    if key not in _STATEMENTS:
        deliveries, events, keys = AlertDelivery.__table__, StoredAlert.__table__, AlertEventKey.__table__
        if name == "delivery":
            stmt = (
                insert_for(session, deliveries)
                .on_conflict_do_nothing(index_elements=["team_id", "source", "body_sha256"])
                .returning(deliveries.c.id)
            )
        elif name == "event":
            stmt = (
                insert_for(session, events)
                .on_conflict_do_nothing(index_elements=["team_id", "source", "external_id_sha256"])
                .returning(events.c.id)
            )
        else:
            stmt = insert_for(session, keys)
        _STATEMENTS[key] = stmt
    return _STATEMENTS[key]


def store_delivery(
    session: Session, *, team_id: str, source: AlertSource, body: str, received_at: datetime
) -> tuple[int, bool]:
    """Keep a request body once per workspace and source; ``(its id, whether it is new)``."""
    digest = hashlib.sha256(body.encode()).hexdigest()
    row = {"team_id": team_id, "source": str(source), "body_sha256": digest, "body": body, "received_at": received_at}
    new_id = session.execute(_statement(session, "delivery"), row).scalar()
    if new_id is not None:
        return new_id, True
    known = session.scalar(
        select(AlertDelivery.id).where(
            AlertDelivery.team_id == team_id, AlertDelivery.source == str(source), AlertDelivery.body_sha256 == digest
        )
    )
    assert known is not None, "a delivery that conflicted must exist"
    return known, False


def forget_delivery(session: Session, delivery_id: int) -> None:
    """Drop a delivery that brought nothing new (every event in it was already kept)."""
    session.execute(delete(AlertDelivery).where(AlertDelivery.id == delivery_id))


def store_events(
    session: Session, *, team_id: str, delivery_id: int, events: Iterable[AlertEvent], received_at: datetime
) -> list[StoredAlert]:
    """Keep each event unless this workspace already has its ``(source, external_id)``; the newly
    kept ones, in the order given. Of two identical deliveries racing, the second waits for the
    first's transaction and then finds every id taken."""
    new_ids: list[int] = []
    key_rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for event in events:
        if (event.source, event.external_id) in seen:
            continue
        seen.add((event.source, event.external_id))
        row = {
            "team_id": team_id,
            "source": str(event.source),
            "external_id": event.external_id,
            "external_id_sha256": sha256_hex(event.external_id),
            "action": str(event.action),
            "at": event.at,
            "title": event.title,
            "group_kind": event.group.kind,
            "group_value": event.group.value,
            "group_sha256": sha256_hex(event.group.value),
            "service": event.service,
            "link": event.link,
            "by": event.by,
            "fields": dict(event.fields),
            "delivery_id": delivery_id,
            "received_at": received_at,
        }
        new_id = session.execute(_statement(session, "event"), row).scalar()
        if new_id is None:
            continue
        new_ids.append(new_id)
        keys = {(key.kind, key.value) for key in (*event.keys, event.group) if key.source == event.source}
        key_rows.extend(
            {
                "event_id": new_id,
                "kind": kind,
                "value": value,
                "value_sha256": sha256_hex(value),
                "team_id": team_id,
                "source": str(event.source),
            }
            for kind, value in sorted(keys)
        )
    if not new_ids:
        return []
    if key_rows:
        session.execute(_statement(session, "keys"), key_rows)
    by_id = {row.id: row for row in session.scalars(select(StoredAlert).where(StoredAlert.id.in_(new_ids)))}
    return [by_id[i] for i in new_ids]


def events_by_key(session: Session, *, team_id: str, key: AlertKey) -> Sequence[StoredAlert]:
    """Every event of this workspace that carries ``key``, oldest first (by the source's time)."""
    return session.scalars(
        select(StoredAlert)
        .join(AlertEventKey, AlertEventKey.event_id == StoredAlert.id)
        .where(
            AlertEventKey.team_id == team_id,
            AlertEventKey.source == str(key.source),
            AlertEventKey.kind == key.kind,
            AlertEventKey.value_sha256 == sha256_hex(key.value),
        )
        .order_by(StoredAlert.at, StoredAlert.id)
    ).all()


def events_of_group(session: Session, *, team_id: str, group: AlertKey) -> Sequence[StoredAlert]:
    """The events of one thread (a PagerDuty incident, an Opsgenie alert, an alert by fingerprint)."""
    return session.scalars(
        select(StoredAlert)
        .where(
            StoredAlert.team_id == team_id,
            StoredAlert.source == str(group.source),
            StoredAlert.group_kind == group.kind,
            StoredAlert.group_sha256 == sha256_hex(group.value),
        )
        .order_by(StoredAlert.at, StoredAlert.id)
    ).all()


def keys_of(session: Session, event_id: int) -> frozenset[AlertKey]:
    rows = session.execute(
        select(AlertEventKey.source, AlertEventKey.kind, AlertEventKey.value).where(AlertEventKey.event_id == event_id)
    ).all()
    return frozenset(AlertKey(AlertSource(source), kind, value) for source, kind, value in rows)


def raw_body(session: Session, event_id: int) -> str | None:
    """The request body the event arrived in, as it was sent."""
    return session.scalar(
        select(AlertDelivery.body)
        .join(StoredAlert, StoredAlert.delivery_id == AlertDelivery.id)
        .where(StoredAlert.id == event_id)
    )
