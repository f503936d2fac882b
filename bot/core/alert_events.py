"""Alert events from paging and alerting tools, as plain values.

A webhook delivery is translated (by ``bot/webhooks``) into one or more ``AlertEvent`` values;
storage keeps them, links join them to incidents, and the timeline and phases read them. Nothing
here knows HTTP, JSON shapes or Slack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class AlertSource(StrEnum):
    PAGERDUTY = "pagerduty"
    OPSGENIE = "opsgenie"
    ALERTMANAGER = "alertmanager"
    GRAFANA = "grafana"


SOURCE_LABELS: dict[AlertSource, str] = {
    AlertSource.PAGERDUTY: "PagerDuty",
    AlertSource.OPSGENIE: "Opsgenie",
    AlertSource.ALERTMANAGER: "Alertmanager",
    AlertSource.GRAFANA: "Grafana",
}
"""How each source is named to people."""


class AlertAction(StrEnum):
    """What happened, in the source's own terms mapped onto one vocabulary.

    Paging tools (PagerDuty, Opsgenie) report an incident or alert being ``triggered``,
    ``acknowledged``, ``unacknowledged``, ``escalated``, ``reassigned`` and ``resolved``; alerting
    tools (Alertmanager, Grafana) report an alert ``firing`` or ``alert_resolved``. Anything else the
    source reports (a note, a priority change) is ``other`` and is kept, but sets no phase.
    """

    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    UNACKNOWLEDGED = "unacknowledged"
    ESCALATED = "escalated"
    REASSIGNED = "reassigned"
    RESOLVED = "resolved"
    FIRING = "firing"
    ALERT_RESOLVED = "alert_resolved"
    OTHER = "other"

    @property
    def starts_trouble(self) -> bool:
        """Counts as detection: the earliest such event of the linked alerts is ``detected``."""
        return self in (AlertAction.TRIGGERED, AlertAction.FIRING)

    @property
    def ends_trouble(self) -> bool:
        """Shown and suggested as resolution; never sets a phase by itself."""
        return self in (AlertAction.RESOLVED, AlertAction.ALERT_RESOLVED)


@dataclass(frozen=True)
class AlertKey:
    """One handle by which ``/incident link`` (or a route, or a later event) finds an alert.

    ``kind`` is one of: ``incident`` (a PagerDuty incident id), ``alert`` (an Opsgenie alert id),
    ``tiny`` (an Opsgenie tiny id), ``alias`` (an Opsgenie alias), ``alertname``, ``fingerprint``
    and ``group`` (an Alertmanager or Grafana group key). Values are kept as the source spells them.
    """

    source: AlertSource
    kind: str
    value: str


@dataclass(frozen=True)
class AlertEvent:
    source: AlertSource
    external_id: str
    """Unique per workspace and source: a redelivery of the same event carries the same id and is
    stored once (PagerDuty's ``event.id``; Opsgenie's alert id + action + update time;
    Alertmanager's and Grafana's fingerprint + status + times)."""
    action: AlertAction
    at: datetime
    """Aware UTC, the source's own time for this event (not when it reached us)."""
    title: str
    group: AlertKey
    """The thread this event belongs to: later events of the same group join the same incident
    (a PagerDuty incident, an Opsgenie alert, an Alertmanager/Grafana alert by fingerprint)."""
    keys: frozenset[AlertKey] = frozenset()
    """Every handle it can be linked by, ``group`` included."""
    service: str | None = None
    link: str | None = None
    """Back to the event in its source (incident page, alert page, generator URL)."""
    by: str | None = None
    """The person who acted (acknowledged, reassigned, resolved), as the source names them;
    ``None`` when the source itself acted (auto-resolve, timeout escalation)."""
    fields: Mapping[str, str] = field(default_factory=dict)
    """Flat attributes routes match on (``service``, ``urgency``, ``priority``, ``severity``, labels)."""
