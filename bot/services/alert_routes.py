"""Routes: a trigger that matches one declares an incident, once per alert thread.

``declare_from_new_events`` is called in the transaction that stored a webhook's new events. A
matching trigger claims its thread (a PagerDuty incident, an Alertmanager or Grafana group, an
Opsgenie alert) under a unique key and owes a ``declare`` as deferred work, done after the
webhook's answer like ``/incident declare``'s (channel, header, announcement). A redelivery
stores nothing new; another event of a claimed thread finds the claim taken and joins the
declared incident through its links instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.alert_events import AlertKey, AlertSource
from bot.core.alert_links import RouteSpec, describe_key, first_route, parse_route
from bot.core.grammar import MAX_TITLE_CHARS, CommandError
from bot.services import deferred
from bot.services.alert_intake import after_recording
from bot.services.errors import UserFacingError
from storage import alert_events as event_repo
from storage import alert_links as repo
from storage.alert_models import StoredAlert

EVERY_WORKSPACE = "*"
DECLARE_KIND = "declare"


@dataclass(frozen=True)
class Route:
    id: int
    team_id: str
    spec: RouteSpec


def add_route(
    session: Session, *, source: str, matches: Iterable[str], severity: str, team_id: str, now: datetime
) -> tuple[Route, bool]:
    try:
        spec = parse_route(source, matches, severity)
    except CommandError as error:
        raise UserFacingError(str(error)) from None
    route_id, new = repo.add_route(session, team_id=team_id, route=spec, now=now)
    return Route(route_id, team_id, spec), new


def list_routes(session: Session, *, team_id: str | None = None) -> list[Route]:
    return [Route(route_id, team, spec) for route_id, team, spec in repo.routes(session, team_id=team_id)]


def remove_route(session: Session, *, route_id: int, team_id: str | None = None) -> None:
    if not repo.remove_route(session, route_id=route_id, team_id=team_id):
        where = f" in workspace {team_id}" if team_id else ""
        raise UserFacingError(f"there is no route #{route_id}{where}; `scribe alerts route list` shows them")


def thread_of(event: StoredAlert, keys: frozenset[AlertKey]) -> AlertKey:
    """The key one declared incident stands for: an Alertmanager or Grafana group (its group key)
    when the event has one, else the event's own thread."""
    source = AlertSource(event.source)
    if source in (AlertSource.ALERTMANAGER, AlertSource.GRAFANA):
        groups = sorted(key.value for key in keys if key.kind == "group" and key.source == source)
        if groups:
            return AlertKey(source, "group", groups[0])
    return AlertKey(source, event.group_kind, event.group_value)


def declare_from_new_events(
    session: Session, *, team_id: str, events: Sequence[StoredAlert], now: datetime
) -> list[int]:
    """Owe a declaration for each new trigger that matches a route and whose thread has none yet;
    the ids of the declarations claimed. In the caller's transaction (the one that stored them)."""
    claimed: list[int] = []
    routes: dict[str, list[tuple[int, RouteSpec]]] = {}
    for row in events:
        if row.source not in routes:
            routes[row.source] = [
                (route_id, spec)
                for route_id, team, spec in repo.routes(session, source=AlertSource(row.source))
                if team in (team_id, EVERY_WORKSPACE)
            ]
        event = repo.as_event(row)
        match = first_route(routes[row.source], event)
        if match is None:
            continue
        keys = event_repo.keys_of(session, row.id)
        thread = thread_of(row, keys)
        if repo.incidents_linked_to(session, team_id=team_id, keys={thread, event.group}):
            continue  # someone linked this alert to an incident already: it joins that one
        declaration_id = repo.claim_declaration(
            session, team_id=team_id, group=thread, route_id=match[0], event_id=row.id, now=now
        )
        if declaration_id is None:
            continue
        links = sorted({thread, event.group}, key=lambda key: (key.kind, key.value))
        deferred.accept(
            session,
            team_id=team_id,
            key=f"alert-declare:{declaration_id}",
            kind=DECLARE_KIND,
            payload={
                "title": (event.title or describe_key(thread))[:MAX_TITLE_CHARS],
                "severity": match[1].severity,
                "user_id": None,
                "channel_id": None,
                "response_url": None,
                "received_at": now.isoformat(),
                "declared_by": describe_key(thread),
                "alert_declaration": declaration_id,
                "alert_links": [[str(key.source), key.kind, key.value] for key in links],
            },
            now=now,
        )
        claimed.append(declaration_id)
    return claimed


@after_recording
def _declare_on_delivery(session: Session, team_id: str, stored: Sequence[StoredAlert], now: datetime) -> None:
    """The webhook delivery's hook: routes see every newly stored event, in its transaction."""
    declare_from_new_events(session, team_id=team_id, events=stored, now=now)


def link_declared_incident(
    session: Session, *, team_id: str, incident_id: int, payload: dict[str, object], now: datetime
) -> None:
    """Link the alert thread a route declared to the incident made for it (in the declare's
    transaction), so its earlier and later events join it."""
    declaration_id = payload.get("alert_declaration")
    if not isinstance(declaration_id, int):
        return
    raw = payload.get("alert_links")
    for source, kind, value in raw if isinstance(raw, list) else ():
        key = AlertKey(AlertSource(source), kind, value)
        repo.add_link(
            session,
            incident_id=incident_id,
            team_id=team_id,
            key=key,
            label=str(payload.get("declared_by") or describe_key(key)),
            via="route",
            user_id=None,
            now=now,
            restore=False,
        )
    repo.declared_incident(session, declaration_id, incident_id)
