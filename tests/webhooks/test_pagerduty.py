"""PagerDuty Webhooks V3 into the timeline's store: signed, translated, kept once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.support.alert_senders import (
    ADA,
    PD_OLD_SECRET,
    PD_SECRET,
    hex_hmac,
    pagerduty_incident_event,
    pagerduty_note_event,
)
from tests.webhooks.conftest import Alerts

TRIGGERED = pagerduty_incident_event(
    "incident.triggered", event_id="01DEN5W4ZQ1QKM9AK6S2J5X9QE", occurred_at="2026-12-02T13:50:07.512Z"
)
ACKNOWLEDGED = pagerduty_incident_event(
    "incident.acknowledged", event_id="01DEN5X2B9Y6H5K8M3P1Q7R4TW", occurred_at="2026-12-02T13:55:41.003Z", agent=ADA
)
RESOLVED = pagerduty_incident_event(
    "incident.resolved", event_id="01DEN6A7C2D4E6F8G0H2J4K6MN", occurred_at="2026-12-02T14:31:00Z", agent=None
)


def test_triggered_acknowledged_and_resolved_are_kept_at_pagerdutys_own_times(alerts: Alerts) -> None:
    for payload in (TRIGGERED, ACKNOWLEDGED, RESOLVED):
        response = alerts.send.pagerduty(payload)
        assert response.status == 200, response.body
        assert response.json() == {"ok": True, "events": 1, "new": 1}
    stored = alerts.stored()
    assert [(row.action, row.at, row.by) for row in stored] == [
        ("triggered", datetime(2026, 12, 2, 13, 50, 7, 512000, tzinfo=UTC), None),
        ("acknowledged", datetime(2026, 12, 2, 13, 55, 41, 3000, tzinfo=UTC), "Ada Lovelace"),
        ("resolved", datetime(2026, 12, 2, 14, 31, tzinfo=UTC), None),
    ]
    first = stored[0]
    assert first.external_id == "01DEN5W4ZQ1QKM9AK6S2J5X9QE"
    assert first.title == "Checkout p99 latency above 2s"
    assert first.service == "checkout-api"
    assert first.link == "https://acme.pagerduty.com/incidents/Q2K8ZL5W6XQ1TA"
    assert (first.group_kind, first.group_value) == ("incident", "Q2K8ZL5W6XQ1TA")
    assert first.fields["service"] == "PA2P440"
    assert first.fields["urgency"] == "high"
    assert first.fields["priority"] == "P1"
    assert alerts.keys(first.id) == {("incident", "Q2K8ZL5W6XQ1TA")}
    assert first.team_id == "T111"


def test_a_redelivered_event_is_stored_once_and_still_answered_200(alerts: Alerts) -> None:
    assert alerts.send.pagerduty(TRIGGERED).json()["new"] == 1
    again = alerts.send.pagerduty(TRIGGERED)
    assert again.status == 200
    assert again.json() == {"ok": True, "events": 1, "new": 0}
    reformatted = json.dumps(TRIGGERED, indent=2).encode()  # same event id, other bytes
    assert alerts.send.pagerduty(reformatted).json()["new"] == 0
    assert len(alerts.stored()) == 1
    assert alerts.deliveries() == 1


def test_a_note_on_the_incident_is_kept_as_other_and_joins_the_same_incident(alerts: Alerts) -> None:
    note = pagerduty_note_event(event_id="01DEN5ZNOTE00000000000000", occurred_at="2026-12-02T14:00:00Z")
    assert alerts.send.pagerduty(note).status == 200
    [row] = alerts.stored()
    assert (row.action, row.group_value, row.by) == ("other", "Q2K8ZL5W6XQ1TA", "Ada Lovelace")


def test_a_wrong_or_missing_signature_is_refused_401_and_nothing_is_stored(alerts: Alerts) -> None:
    assert alerts.send.pagerduty(TRIGGERED, secrets=("not-our-secret",)).status == 401
    assert alerts.send.pagerduty(TRIGGERED, signature="").status == 401
    assert alerts.send.pagerduty(TRIGGERED, signature="v1=zz,v0=" + "0" * 64).status == 401
    body = json.dumps(TRIGGERED).encode()
    tampered = body.replace(b"Checkout", b"Checkin!")
    assert alerts.send.pagerduty(tampered, signature=f"v1={hex_hmac(PD_SECRET, body)}").status == 401
    assert alerts.stored() == []
    assert alerts.deliveries() == 0


def test_during_rotation_any_of_several_signatures_and_any_of_our_secrets_passes(alerts: Alerts) -> None:
    body = json.dumps(TRIGGERED).encode()
    unknown_then_old = f"v1={hex_hmac('their-new-secret', body)},v1={hex_hmac(PD_OLD_SECRET, body)}"
    assert alerts.send.pagerduty(body, signature=unknown_then_old).status == 200
    assert alerts.send.pagerduty(ACKNOWLEDGED, secrets=("their-new-secret", PD_SECRET)).status == 200
    assert len(alerts.stored()) == 2


def test_without_a_secret_the_endpoint_is_not_there(make_alerts) -> None:
    alerts = make_alerts(pagerduty_webhook_secret=())
    assert alerts.send.pagerduty(TRIGGERED).status == 404
    assert alerts.stored() == []


def test_an_event_without_an_id_is_named_by_its_webhook_id(alerts: Alerts) -> None:
    payload = pagerduty_incident_event("incident.triggered", event_id="", occurred_at="2026-12-02T13:50:07Z")
    assert alerts.send.pagerduty(payload, webhook_id="wh-7f3a").status == 200
    assert alerts.send.pagerduty(payload, webhook_id="wh-7f3a").json()["new"] == 0
    assert [row.external_id for row in alerts.stored()] == ["wh-7f3a"]
