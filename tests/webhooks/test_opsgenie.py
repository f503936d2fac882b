"""Opsgenie's webhook integration: a bearer token in a custom header, epoch times read exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.alert_senders import opsgenie_action
from tests.webhooks.conftest import Alerts

# 2026-12-02T13:50:07.123Z in ms; the updates in ns, with digits a float cannot hold (> 2**53)
CREATED_MS = 1_796_219_407_123
ACK_NS = 1_796_219_741_987_654_321
CLOSE_NS = 1_796_221_860_000_000_999


def test_create_acknowledge_and_close_are_kept_at_opsgenies_own_times(alerts: Alerts) -> None:
    for action, updated in (("Create", CREATED_MS * 1_000_000 + 1), ("Acknowledge", ACK_NS), ("Close", CLOSE_NS)):
        response = alerts.send.opsgenie(opsgenie_action(action, updated_at_ns=updated))
        assert response.status == 200, response.body
    stored = alerts.stored()
    assert [(row.action, row.at, row.by) for row in stored] == [
        ("triggered", datetime(2026, 12, 2, 13, 50, 7, 123000, tzinfo=UTC), None),
        ("acknowledged", datetime(2026, 12, 2, 13, 55, 41, 987654, tzinfo=UTC), "ada@example.com"),
        ("resolved", datetime(2026, 12, 2, 14, 31, 0, 0, tzinfo=UTC), "ada@example.com"),
    ]
    created = stored[0]
    assert created.title == "Checkout error rate above 5%"
    assert (
        created.link
        == "https://app.opsgenie.com/alert/detail/70413a06-38d6-4c85-92b8-5ebc900d42e2-1796219407123/details"
    )
    assert created.fields["priority"] == "P1"
    assert alerts.keys(created.id) == {
        ("alert", "70413a06-38d6-4c85-92b8-5ebc900d42e2-1796219407123"),
        ("tiny", "1791"),
        ("alias", "checkout-error-rate"),
    }


def test_the_nanosecond_update_time_tells_a_second_acknowledge_from_a_redelivery(alerts: Alerts) -> None:
    first = opsgenie_action("Acknowledge", updated_at_ns=ACK_NS)
    assert alerts.send.opsgenie(first).json()["new"] == 1
    assert alerts.send.opsgenie(first).json()["new"] == 0
    one_nanosecond_later = opsgenie_action("Acknowledge", updated_at_ns=ACK_NS + 1)
    assert alerts.send.opsgenie(one_nanosecond_later).json()["new"] == 1
    assert [row.external_id.rsplit(":", 1)[1] for row in alerts.stored()] == [str(ACK_NS), str(ACK_NS + 1)]


def test_other_actions_are_kept_but_set_nothing(alerts: Alerts) -> None:
    assert alerts.send.opsgenie(opsgenie_action("AddNote", updated_at_ns=ACK_NS)).status == 200
    assert [row.action for row in alerts.stored()] == ["other"]


def test_a_missing_or_wrong_token_is_refused_401_and_nothing_is_stored(alerts: Alerts) -> None:
    payload = opsgenie_action("Create", updated_at_ns=ACK_NS)
    assert alerts.send.opsgenie(payload, token=None).status == 401
    assert alerts.send.opsgenie(payload, token="og-token-guess").status == 401
    assert alerts.send.post("/webhooks/opsgenie", b"{}", {"Authorization": "Basic b2c6dG9rZW4="}).status == 401
    assert alerts.stored() == []


def test_without_a_token_the_endpoint_is_not_there(make_alerts) -> None:
    alerts = make_alerts(opsgenie_webhook_token=())
    assert alerts.send.opsgenie(opsgenie_action("Create", updated_at_ns=ACK_NS)).status == 404


def test_a_time_that_is_not_a_whole_number_is_refused_400(alerts: Alerts) -> None:
    payload = opsgenie_action("Acknowledge", updated_at_ns=ACK_NS)
    payload["alert"]["updatedAt"] = 1.796219741987654e18
    response = alerts.send.opsgenie(payload)
    assert response.status == 400
    assert "alert.updatedAt" in response.json()["error"]
    assert alerts.stored() == []
