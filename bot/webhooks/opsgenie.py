"""Opsgenie's webhook integration: one alert action per delivery (``action`` such as ``Create``,
``alert`` with ``alertId``, ``tinyId``, ``alias``, ``createdAt`` in epoch milliseconds and
``updatedAt`` in epoch nanoseconds)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from bot.core.alert_events import AlertAction, AlertEvent, AlertKey, AlertSource
from bot.webhooks.payloads import epoch, obj, required, text, web_link

SOURCE = AlertSource.OPSGENIE
ALERT_URL = "https://app.opsgenie.com/alert/detail/{alert_id}/details"
"""The alert's page; the id is sent by the integration and put in the path percent-encoded, so
that no character of it can leave the path or end a Slack link."""

ACTIONS: Mapping[str, AlertAction] = {
    "Create": AlertAction.TRIGGERED,
    "Acknowledge": AlertAction.ACKNOWLEDGED,
    "UnAcknowledge": AlertAction.UNACKNOWLEDGED,
    "Escalate": AlertAction.ESCALATED,
    "EscalateToNext": AlertAction.ESCALATED,
    "AssignOwnership": AlertAction.REASSIGNED,
    "TakeOwnership": AlertAction.REASSIGNED,
    "Close": AlertAction.RESOLVED,
}
"""Everything else (``AddNote``, ``AddTags``, ``UpdatePriority``, ``Snooze``, ``Delete``, custom
actions) is kept as ``other``."""


def parse(payload: Mapping[str, Any]) -> list[AlertEvent]:
    action = required(payload, "action", name="body")
    alert = obj(payload.get("alert"), name="alert")
    alert_id = required(alert, "alertId", name="alert")
    created = epoch(alert.get("createdAt"), per_second=1000, name="alert.createdAt")
    raw_updated = alert.get("updatedAt")
    updated = epoch(raw_updated, per_second=10**9, name="alert.updatedAt") if raw_updated is not None else created
    mapped = ACTIONS.get(action, AlertAction.OTHER)
    group = AlertKey(SOURCE, "alert", alert_id)
    keys = {group}
    for kind, field in (("tiny", "tinyId"), ("alias", "alias")):
        value = text(alert.get(field))
        if value is not None:
            keys.add(AlertKey(SOURCE, kind, value))
    tags = found if isinstance(found := alert.get("tags"), list) else []
    teams = found if isinstance(found := alert.get("teams"), list) else []
    sender = found if isinstance(found := payload.get("source"), Mapping) else {}
    fields = {
        "action": action,
        "priority": text(alert.get("priority")),
        "source": text(alert.get("source")),
        "entity": text(alert.get("entity")),
        "tags": ",".join(str(t) for t in tags if isinstance(t, str)) or None,
        "teams": ",".join(str(t) for t in teams if isinstance(t, str)) or None,
        "integration": text(payload.get("integrationName")),
        "via": text(sender.get("type")),
    }
    person = text(alert.get("username"))
    return [
        AlertEvent(
            source=SOURCE,
            # the update time tells a second Acknowledge of the same alert from a redelivery of the first
            external_id=f"{alert_id}:{action}:{raw_updated if raw_updated is not None else alert.get('createdAt')}",
            action=mapped,
            at=created if mapped is AlertAction.TRIGGERED else updated,
            title=text(alert.get("message")) or f"Opsgenie alert {text(alert.get('tinyId')) or alert_id}",
            group=group,
            keys=frozenset(keys),
            service=text(alert.get("entity")) or text(alert.get("source")),
            link=web_link(ALERT_URL.format(alert_id=quote(alert_id, safe=""))),
            by=None if mapped is AlertAction.TRIGGERED or person in (None, "System") else person,
            fields={k: v for k, v in fields.items() if v is not None},
        )
    ]
