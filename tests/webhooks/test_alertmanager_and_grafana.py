"""Alertmanager's webhook v4 and Grafana's contact point: several alerts per body, each kept once."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.alert_senders import (
    GRAFANA_SECRET,
    alertmanager_group,
    grafana_notification,
    hex_hmac,
    prometheus_alert,
)
from tests.webhooks.conftest import Alerts

ERRORS_1 = prometheus_alert(
    "firing", alertname="CheckoutErrors", fingerprint="a1b2c3d4e5f60718", starts_at="2026-12-02T13:49:52.123456789Z"
)
ERRORS_2 = prometheus_alert(
    "firing",
    alertname="CheckoutErrors",
    fingerprint="0f1e2d3c4b5a6978",
    starts_at="2026-12-02T13:50:22.5Z",
    instance="checkout-2:9090",
)
ERRORS_1_RESOLVED = {**ERRORS_1, "status": "resolved", "endsAt": "2026-12-02T14:20:07.999999999Z"}


def test_every_alert_of_a_group_is_kept_at_its_own_start_with_nanoseconds_dropped_not_rounded(alerts: Alerts) -> None:
    response = alerts.send.alertmanager(alertmanager_group(ERRORS_1, ERRORS_2))
    assert response.status == 200, response.body
    assert response.json() == {"ok": True, "events": 2, "new": 2}
    first, second = alerts.stored()
    assert (first.action, first.at) == ("firing", datetime(2026, 12, 2, 13, 49, 52, 123456, tzinfo=UTC))
    assert (second.action, second.at) == ("firing", datetime(2026, 12, 2, 13, 50, 22, 500000, tzinfo=UTC))
    assert first.title == "CheckoutErrors: CheckoutErrors on checkout-1:9090"
    assert first.service == "checkout"
    assert first.link is not None
    assert first.link.startswith("http://prometheus.example.com:9090/graph?")
    assert first.fields["severity"] == "critical"
    assert alerts.keys(first.id) == {
        ("fingerprint", "a1b2c3d4e5f60718"),
        ("alertname", "CheckoutErrors"),
        ("group", '{}/{severity="critical"}:{alertname="CheckoutErrors"}'),
    }


def test_the_same_group_notified_again_stores_nothing_and_a_resolution_is_a_new_event(alerts: Alerts) -> None:
    alerts.send.alertmanager(alertmanager_group(ERRORS_1, ERRORS_2))
    assert alerts.send.alertmanager(alertmanager_group(ERRORS_1, ERRORS_2)).json()["new"] == 0
    mixed = alerts.send.alertmanager(alertmanager_group(ERRORS_1_RESOLVED, ERRORS_2))
    assert mixed.json() == {"ok": True, "events": 2, "new": 1}
    resolved = alerts.stored()[-1]
    assert (resolved.action, resolved.at) == ("alert_resolved", datetime(2026, 12, 2, 14, 20, 7, 999999, tzinfo=UTC))
    assert resolved.group_value == "a1b2c3d4e5f60718"


def test_alertmanager_without_the_bearer_token_is_refused(alerts: Alerts) -> None:
    assert alerts.send.alertmanager(alertmanager_group(ERRORS_1), token=None).status == 401
    assert alerts.send.alertmanager(alertmanager_group(ERRORS_1), token="wrong").status == 401
    assert alerts.stored() == []


def test_grafana_mixed_firing_and_resolved_alerts_are_each_kept_with_the_panel_link(alerts: Alerts) -> None:
    response = alerts.send.grafana(grafana_notification(ERRORS_1_RESOLVED, ERRORS_2))
    assert response.status == 200, response.body
    resolved, firing = alerts.stored()
    assert (resolved.source, resolved.action) == ("grafana", "alert_resolved")
    assert (firing.source, firing.action) == ("grafana", "firing")
    assert firing.link == "https://grafana.example.com/d/checkout?viewPanel=4"
    assert ("group", '{}:{alertname="CheckoutErrors"}') in alerts.keys(firing.id)


def test_grafana_with_a_wrong_or_missing_signature_is_refused(alerts: Alerts) -> None:
    assert alerts.send.grafana(grafana_notification(ERRORS_1), secret="not-it").status == 401
    assert alerts.send.grafana(grafana_notification(ERRORS_1), signature="").status == 401
    assert alerts.stored() == []


def test_grafana_with_a_timestamp_header_signs_it_and_a_stale_one_is_refused(make_alerts) -> None:
    alerts = make_alerts(grafana_webhook_timestamp_header="X-Grafana-Alerting-Timestamp")
    now = int(alerts.clock().timestamp())
    body = grafana_notification(ERRORS_1)
    assert alerts.send.grafana(body, timestamp=now - 30).status == 200
    assert alerts.send.grafana(grafana_notification(ERRORS_2), timestamp=now - 301).status == 401
    assert alerts.send.grafana(grafana_notification(ERRORS_2)).status == 401  # no timestamp at all
    unsigned_time = hex_hmac(GRAFANA_SECRET, b"")  # a signature that does not cover the timestamp
    assert alerts.send.grafana(grafana_notification(ERRORS_2), timestamp=now, signature=unsigned_time).status == 401
    assert len(alerts.stored()) == 1


def test_an_alert_whose_link_is_not_a_web_address_is_kept_without_the_link(alerts: Alerts) -> None:
    scripted = {**ERRORS_1, "generatorURL": "javascript:alert(document.cookie)"}
    assert alerts.send.alertmanager(alertmanager_group(scripted)).status == 200
    [stored] = alerts.stored()
    assert stored.title == "CheckoutErrors: CheckoutErrors on checkout-1:9090"
    assert stored.link is None
