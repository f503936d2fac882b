"""Paging and alerting tools as our webhooks see them: bodies in each sender's documented format,
signed or carrying a bearer token exactly as the sender does, sent through the real WSGI app.

The payloads are written here from the senders' documentation (PagerDuty Webhooks V3,
Opsgenie's webhook integration, Alertmanager's webhook v4, Grafana's webhook contact point).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from typing import Any

from tests.support.slack_requests import Response

PD_SECRET = "pd-signing-secret-0123456789abcdef"
PD_OLD_SECRET = "pd-signing-secret-rotated-out-0000"
OPSGENIE_TOKEN = "og-token-5b1f0c3e9a7d4e2f"
ALERTMANAGER_TOKEN = "am-token-8c2d1e0f7a6b5c4d"
GRAFANA_SECRET = "grafana-hmac-secret-f00dfeed"


def hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def pagerduty_incident_event(
    event_type: str,
    *,
    event_id: str,
    occurred_at: str,
    incident_id: str = "Q2K8ZL5W6XQ1TA",
    title: str = "Checkout p99 latency above 2s",
    agent: dict[str, Any] | None = None,
    urgency: str = "high",
) -> dict[str, Any]:
    """A V3 ``incident.*`` event: ``event.data`` is the incident."""
    return {
        "event": {
            "id": event_id,
            "event_type": event_type,
            "resource_type": "incident",
            "occurred_at": occurred_at,
            "agent": agent,
            "client": {"name": "PagerDuty"} if agent else None,
            "data": {
                "id": incident_id,
                "type": "incident",
                "self": f"https://api.pagerduty.com/incidents/{incident_id}",
                "html_url": f"https://acme.pagerduty.com/incidents/{incident_id}",
                "number": 4242,
                "status": {"incident.acknowledged": "acknowledged", "incident.resolved": "resolved"}.get(
                    event_type, "triggered"
                ),
                "incident_key": "5d2c0f4e8a7b4b1f9e3a6c2d1b0a9f8e",
                "created_at": "2026-12-02T13:50:07Z",
                "title": title,
                "service": {
                    "html_url": "https://acme.pagerduty.com/service-directory/PA2P440",
                    "id": "PA2P440",
                    "self": "https://api.pagerduty.com/services/PA2P440",
                    "summary": "checkout-api",
                    "type": "service_reference",
                },
                "assignees": [
                    {
                        "html_url": "https://acme.pagerduty.com/users/PU1ADA0",
                        "id": "PU1ADA0",
                        "self": "https://api.pagerduty.com/users/PU1ADA0",
                        "summary": "Ada Lovelace",
                        "type": "user_reference",
                    }
                ],
                "escalation_policy": {
                    "html_url": "https://acme.pagerduty.com/escalation_policies/PEP0001",
                    "id": "PEP0001",
                    "self": "https://api.pagerduty.com/escalation_policies/PEP0001",
                    "summary": "Checkout on-call",
                    "type": "escalation_policy_reference",
                },
                "teams": [],
                "priority": {
                    "html_url": "https://acme.pagerduty.com/account/incident_priorities",
                    "id": "PPRIO01",
                    "self": "https://api.pagerduty.com/priorities/PPRIO01",
                    "summary": "P1",
                    "type": "priority_reference",
                },
                "urgency": urgency,
                "conference_bridge": None,
                "resolve_reason": None,
            },
        }
    }


ADA = {
    "html_url": "https://acme.pagerduty.com/users/PU1ADA0",
    "id": "PU1ADA0",
    "self": "https://api.pagerduty.com/users/PU1ADA0",
    "summary": "Ada Lovelace",
    "type": "user_reference",
}


def pagerduty_note_event(*, event_id: str, occurred_at: str, incident_id: str = "Q2K8ZL5W6XQ1TA") -> dict[str, Any]:
    """``incident.annotated``: ``event.data`` is the note, the incident only a reference."""
    return {
        "event": {
            "id": event_id,
            "event_type": "incident.annotated",
            "resource_type": "incident",
            "occurred_at": occurred_at,
            "agent": ADA,
            "client": None,
            "data": {
                "incident": {
                    "html_url": f"https://acme.pagerduty.com/incidents/{incident_id}",
                    "id": incident_id,
                    "self": f"https://api.pagerduty.com/incidents/{incident_id}",
                    "summary": "Checkout p99 latency above 2s",
                    "type": "incident_reference",
                },
                "id": "PNOTE01",
                "content": "Rolling back the 13:40 deploy",
                "trimmed": False,
                "type": "incident_note",
            },
        }
    }


def opsgenie_action(
    action: str,
    *,
    updated_at_ns: int,
    created_at_ms: int = 1_796_219_407_123,
    username: str = "ada@example.com",
    alert_id: str = "70413a06-38d6-4c85-92b8-5ebc900d42e2-1796219407123",
) -> dict[str, Any]:
    """An alert action as the webhook integration posts it (``createdAt`` ms, ``updatedAt`` ns)."""
    return {
        "source": {"name": "", "type": "web" if action != "Create" else "API"},
        "alert": {
            "updatedAt": updated_at_ns,
            "tags": ["checkout", "p1"],
            "teams": ["team-checkout"],
            "recipients": ["checkout-oncall"],
            "message": "Checkout error rate above 5%",
            "username": username if action != "Create" else "System",
            "alertId": alert_id,
            "source": "prometheus",
            "alias": "checkout-error-rate",
            "tinyId": "1791",
            "createdAt": created_at_ms,
            "userId": "daed1180-0ce8-438b-8f8e-57e1a5920a2d",
            "entity": "checkout-api",
            "priority": "P1",
        },
        "action": action,
        "integrationId": "37c8f316-17c6-49d7-899b-9c7e540c048d",
        "integrationName": "Incident Scribe",
    }


def prometheus_alert(
    status: str,
    *,
    alertname: str,
    fingerprint: str,
    starts_at: str,
    ends_at: str = "0001-01-01T00:00:00Z",
    instance: str = "checkout-1:9090",
) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": alertname, "severity": "critical", "service": "checkout", "instance": instance},
        "annotations": {"summary": f"{alertname} on {instance}", "runbook_url": "https://runbooks.example.com/x"},
        "startsAt": starts_at,
        "endsAt": ends_at,
        "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=rate%28http_errors%5B5m%5D%29+%3E+0.05",
        "fingerprint": fingerprint,
    }


def alertmanager_group(*alerts: dict[str, Any], status: str | None = None) -> dict[str, Any]:
    """A webhook v4 notification: one group, several alerts."""
    firing = any(a["status"] == "firing" for a in alerts)
    return {
        "version": "4",
        "groupKey": '{}/{severity="critical"}:{alertname="CheckoutErrors"}',
        "truncatedAlerts": 0,
        "status": status or ("firing" if firing else "resolved"),
        "receiver": "incident-scribe",
        "groupLabels": {"alertname": "CheckoutErrors"},
        "commonLabels": {"severity": "critical", "service": "checkout"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": list(alerts),
    }


def grafana_notification(*alerts: dict[str, Any]) -> dict[str, Any]:
    """Grafana's contact-point body: Alertmanager's shape plus Grafana's fields (the alerts given
    are copied, so a module's shared alerts stay as Alertmanager sends them)."""
    body = alertmanager_group(*(dict(alert) for alert in alerts))
    body.update(
        {
            "version": "1",
            "orgId": 1,
            "groupKey": '{}:{alertname="CheckoutErrors"}',
            "title": "[FIRING] CheckoutErrors",
            "state": "alerting",
            "message": "**Firing**",
        }
    )
    for alert in body["alerts"]:
        alert.update(
            {
                "generatorURL": "https://grafana.example.com/alerting/grafana/be5q2a0a7m8lcb/view",
                "silenceURL": "https://grafana.example.com/alerting/silence/new?matcher=alertname%3DCheckoutErrors",
                "dashboardURL": "https://grafana.example.com/d/checkout",
                "panelURL": "https://grafana.example.com/d/checkout?viewPanel=4",
                "values": {"B": 0.0731, "C": 1},
            }
        )
    return body


class Senders:
    """POSTs to ``/webhooks/...`` of a WSGI app, as each sender would."""

    def __init__(self, wsgi: Any) -> None:
        self.wsgi = wsgi

    def post(self, path: str, body: bytes | str, headers: dict[str, str] | None = None) -> Response:
        raw = body.encode() if isinstance(body, str) else body
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "3000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(raw),
            "CONTENT_LENGTH": str(len(raw)),
            "CONTENT_TYPE": "application/json",
        }
        for key, value in (headers or {}).items():
            environ["HTTP_" + key.upper().replace("-", "_")] = value
        captured: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"] = int(status.split()[0])
            captured["headers"] = {k.lower(): v for k, v in response_headers}

        text = b"".join(self.wsgi(environ, start_response)).decode()
        return Response(captured["status"], captured["headers"], text)

    def pagerduty(
        self,
        payload: dict[str, Any] | bytes,
        *,
        secrets: tuple[str, ...] = (PD_SECRET,),
        path: str = "/webhooks/pagerduty",
        signature: str | None = None,
        webhook_id: str = "ab9e37a0-1a59-4b5e-9d5c-2e2e6d0c7f11",
    ) -> Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        header = signature if signature is not None else ",".join(f"v1={hex_hmac(s, body)}" for s in secrets)
        headers = {
            "X-Webhook-Id": webhook_id,
            "X-Webhook-Subscription": "PSUB001",
            "User-Agent": "PagerDuty-Webhook/V3.0",
        }
        if header:
            headers["X-PagerDuty-Signature"] = header
        return self.post(path, body, headers)

    def bearer(self, path: str, payload: dict[str, Any] | bytes, token: str | None) -> Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.post(path, body, {"Authorization": f"Bearer {token}"} if token is not None else {})

    def opsgenie(
        self, payload: dict[str, Any] | bytes, *, token: str | None = OPSGENIE_TOKEN, path: str = "/webhooks/opsgenie"
    ) -> Response:
        return self.bearer(path, payload, token)

    def alertmanager(
        self,
        payload: dict[str, Any] | bytes,
        *,
        token: str | None = ALERTMANAGER_TOKEN,
        path: str = "/webhooks/alertmanager",
    ) -> Response:
        return self.bearer(path, payload, token)

    def grafana(
        self,
        payload: dict[str, Any] | bytes,
        *,
        secret: str = GRAFANA_SECRET,
        path: str = "/webhooks/grafana",
        timestamp: int | None = None,
        timestamp_header: str = "X-Grafana-Alerting-Timestamp",
        signature: str | None = None,
    ) -> Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {}
        if timestamp is not None:
            headers[timestamp_header] = str(timestamp)
            signed = f"{timestamp}:".encode() + body
        else:
            signed = body
        headers["X-Grafana-Alerting-Signature"] = signature if signature is not None else hex_hmac(secret, signed)
        return self.post(path, body, headers)
