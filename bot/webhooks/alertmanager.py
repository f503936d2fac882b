"""Prometheus Alertmanager's webhook (``version: "4"``): one notification per alert group, with
several alerts (``alerts[]``), each ``firing`` or ``resolved``, identified by ``fingerprint``.

Grafana's alerting webhook is the same shape with more fields (bot/webhooks/grafana.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.core.alert_events import AlertAction, AlertEvent, AlertKey, AlertSource
from bot.webhooks.payloads import NotThisSendersPayload, is_go_zero_time, obj, rfc3339, string_map, text, web_link

LABEL_FIELD_LIMIT = 40
"""Labels beyond this many are not copied into an event's route fields (they stay in the raw body)."""


def parse(payload: Mapping[str, Any], *, received_at: datetime) -> list[AlertEvent]:
    return parse_group(payload, source=AlertSource.ALERTMANAGER, received_at=received_at)


def parse_group(payload: Mapping[str, Any], *, source: AlertSource, received_at: datetime) -> list[AlertEvent]:
    alerts = payload.get("alerts")
    if not isinstance(alerts, list):
        raise NotThisSendersPayload("alerts is not a list")
    group_key = text(payload.get("groupKey"))
    receiver = text(payload.get("receiver"))
    common = string_map(payload.get("commonLabels"))
    events = []
    for index, raw in enumerate(alerts):
        alert = obj(raw, name=f"alerts[{index}]")
        events.append(
            _event(
                alert,
                index=index,
                source=source,
                group_key=group_key,
                receiver=receiver,
                common=common,
                now=received_at,
            )
        )
    return events


def _event(
    alert: Mapping[str, Any],
    *,
    index: int,
    source: AlertSource,
    group_key: str | None,
    receiver: str | None,
    common: Mapping[str, str],
    now: datetime,
) -> AlertEvent:
    name = f"alerts[{index}]"
    status = text(alert.get("status"))
    if status not in ("firing", "resolved"):
        raise NotThisSendersPayload(f"{name}.status is neither firing nor resolved")
    labels = {**common, **string_map(alert.get("labels"))}
    annotations = string_map(alert.get("annotations"))
    starts_raw = text(alert.get("startsAt"))
    ends_raw = text(alert.get("endsAt")) or ""
    starts = rfc3339(starts_raw, name=f"{name}.startsAt")
    ends = None if not ends_raw or is_go_zero_time(ends_raw) else rfc3339(ends_raw, name=f"{name}.endsAt")
    fingerprint = text(alert.get("fingerprint")) or _fingerprint_of(labels)
    group = AlertKey(source, "fingerprint", fingerprint)
    keys = {group}
    alertname = labels.get("alertname")
    if alertname:
        keys.add(AlertKey(source, "alertname", alertname))
    if group_key:
        keys.add(AlertKey(source, "group", group_key))
    summary = annotations.get("summary") or annotations.get("description")
    title = ": ".join(part for part in (alertname, summary) if part) or f"alert {fingerprint}"
    fields = dict(list(labels.items())[:LABEL_FIELD_LIMIT])
    fields.update({"status": status, **({"receiver": receiver} if receiver else {})})
    resolved = status == "resolved"
    return AlertEvent(
        source=source,
        # firing and resolved of one alert, and a later firing of it, each differ in status or times;
        # the same notification repeated (repeat_interval, a retry) is the same event
        external_id=f"{fingerprint}:{status}:{starts_raw}:{ends_raw or '-'}",
        action=AlertAction.ALERT_RESOLVED if resolved else AlertAction.FIRING,
        at=(ends or now) if resolved else starts,
        title=title,
        group=group,
        keys=frozenset(keys),
        service=labels.get("service") or labels.get("job"),
        link=_link_of(alert),
        by=None,
        fields=fields,
    )


def _link_of(alert: Mapping[str, Any]) -> str | None:
    """Grafana's panel or dashboard when it names one (where a person looks first), else the rule
    or expression that fired (``generatorURL``)."""
    for key in ("panelURL", "dashboardURL", "generatorURL"):
        link = web_link(alert.get(key))
        if link:
            return link
    return None


def _fingerprint_of(labels: Mapping[str, str]) -> str:
    """Senders always include a fingerprint; a payload without one still gets a stable id."""
    return hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()[:16]
