"""Alert events as the paging tools' webhooks would produce them, stored for a workspace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.core.alert_events import AlertAction, AlertEvent, AlertKey, AlertSource
from bot.services import alert_routes  # noqa: F401  (registers the routes' hook)
from bot.services.alert_intake import record_alert_events
from storage import alert_events

PD = AlertSource.PAGERDUTY
AM = AlertSource.ALERTMANAGER


def pagerduty_event(
    incident: str,
    action: AlertAction,
    at: str,
    *,
    by: str | None = None,
    number: str = "1234",
    service: str = "PA2P440",
    urgency: str = "high",
    title: str = "Checkout 5xx above 2%",
) -> AlertEvent:
    """One PagerDuty V3 incident event (``incident.triggered``, ``.acknowledged``…) as a value."""
    group = AlertKey(PD, "incident", incident)
    when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return AlertEvent(
        source=PD,
        external_id=f"01{incident}{action.value[:4].upper()}{when:%H%M%S}",
        action=action,
        at=when,
        title=f"[#{number}] {title}",
        group=group,
        keys=frozenset({group, AlertKey(PD, "incident", number)}),
        service=service,
        link=f"https://acme.pagerduty.com/incidents/{incident}",
        by=by,
        fields={"service": service, "urgency": urgency},
    )


def store_alerts(sessions: sessionmaker[Session], team_id: str, *events: AlertEvent, received_at: datetime) -> int:
    """Keep the events as one delivery would; how many were new."""
    body = "[" + ",".join(f'"{event.external_id}"' for event in events) + "]"
    with sessions.begin() as session:
        delivery_id, _new = alert_events.store_delivery(
            session, team_id=team_id, source=events[0].source, body=body, received_at=received_at
        )
        stored = alert_events.store_events(
            session, team_id=team_id, delivery_id=delivery_id, events=events, received_at=received_at
        )
    return len(stored)


def deliver(sessions: sessionmaker[Session], team_id: str, *events: AlertEvent, received_at: datetime) -> int:
    """What a webhook delivery does with its events, in one transaction: the intake keeps the new
    ones and runs what follows them (the routes). How many were new."""
    body = "[" + ",".join(f'"{event.external_id}"' for event in events) + "]"
    with sessions.begin() as session:
        stored = record_alert_events(
            session, team_id=team_id, source=events[0].source, events=events, raw_body=body, now=received_at
        )
    return len(stored)


def alertmanager_firing(fingerprint: str, group: str, at: str, *, alertname: str = "HighErrorRate") -> AlertEvent:
    """One alert of an Alertmanager webhook (v4) group, firing."""
    when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    own = AlertKey(AM, "fingerprint", fingerprint)
    return AlertEvent(
        source=AM,
        external_id=f"{fingerprint}:firing:{at}",
        action=AlertAction.FIRING,
        at=when,
        title=f"{alertname}: checkout 5xx above 2%",
        group=own,
        keys=frozenset({own, AlertKey(AM, "group", group), AlertKey(AM, "alertname", alertname)}),
        link=f"http://prometheus.example:9090/graph?g0.expr=job%3Acheckout_5xx&fp={fingerprint}",
        fields={"alertname": alertname, "severity": "critical", "service": "checkout"},
    )
