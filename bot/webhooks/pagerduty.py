"""PagerDuty Webhooks V3: one ``event`` per delivery (``event.event_type`` such as
``incident.triggered``, ``event.occurred_at``, ``event.agent``, ``event.data``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.alert_events import AlertAction, AlertEvent, AlertKey, AlertSource
from bot.webhooks.payloads import NotThisSendersPayload, obj, required, rfc3339, text, web_link

SOURCE = AlertSource.PAGERDUTY

ACTIONS: Mapping[str, AlertAction] = {
    "incident.triggered": AlertAction.TRIGGERED,
    "incident.acknowledged": AlertAction.ACKNOWLEDGED,
    "incident.unacknowledged": AlertAction.UNACKNOWLEDGED,
    "incident.escalated": AlertAction.ESCALATED,
    "incident.reassigned": AlertAction.REASSIGNED,
    "incident.delegated": AlertAction.REASSIGNED,
    "incident.resolved": AlertAction.RESOLVED,
}
"""Everything else (``incident.annotated``, ``incident.priority_updated``, ``incident.reopened``,
responders, status updates) is kept as ``other``."""


def parse(payload: Mapping[str, Any], *, webhook_id: str | None = None) -> list[AlertEvent]:
    """``webhook_id`` (the ``X-Webhook-Id`` header, the same on every retry) names the event
    when the payload carries no ``event.id``."""
    event = obj(payload.get("event"), name="event")
    event_type = required(event, "event_type", name="event")
    event_id = text(event.get("id")) or webhook_id
    if event_id is None:
        raise NotThisSendersPayload("event.id is missing")
    at = rfc3339(event.get("occurred_at"), name="event.occurred_at")
    data = found if isinstance(found := event.get("data"), Mapping) else {}
    incident = _incident_of(event, data)
    if incident is None:  # not about an incident (pagey.ping, service.updated): kept, joins nothing
        group = AlertKey(SOURCE, "event", event_id)
        return [
            AlertEvent(SOURCE, event_id, AlertAction.OTHER, at, title=event_type, group=group, keys=frozenset({group}))
        ]
    incident_id = required(incident, "id", name="event.data incident")
    group = AlertKey(SOURCE, "incident", incident_id)
    service = obj(incident.get("service") or {}, name="event.data.service")
    priority = found if isinstance(found := incident.get("priority"), Mapping) else {}
    fields = {
        "event_type": event_type,
        "service": text(service.get("id")),
        "service_name": text(service.get("summary")),
        "urgency": text(incident.get("urgency")),
        "priority": text(priority.get("summary")),
        "status": text(incident.get("status")),
        "number": text(incident.get("number")),
    }
    agent = found if isinstance(found := event.get("agent"), Mapping) else {}
    return [
        AlertEvent(
            source=SOURCE,
            external_id=event_id,
            action=ACTIONS.get(event_type, AlertAction.OTHER),
            at=at,
            title=text(incident.get("title")) or text(incident.get("summary")) or f"PagerDuty incident {incident_id}",
            group=group,
            keys=frozenset({group}),
            service=text(service.get("summary")) or text(service.get("id")),
            link=web_link(incident.get("html_url")),
            by=text(agent.get("summary")) if agent.get("type") == "user_reference" else None,
            fields={k: v for k, v in fields.items() if v is not None},
        )
    ]


def _incident_of(event: Mapping[str, Any], data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The incident the event is about: ``data`` itself for incident events, ``data.incident``
    (a reference) for notes, responders and status updates."""
    if data.get("type") == "incident" or (event.get("resource_type") == "incident" and "incident" not in data):
        return data if data.get("id") else None
    reference = data.get("incident")
    return reference if isinstance(reference, Mapping) and reference.get("id") else None
