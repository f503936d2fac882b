"""What every webhook path answers to what no sender should send: 4xx, never 500, nothing stored."""

from __future__ import annotations

import io
import json

import pytest

from tests.support.alert_senders import OPSGENIE_TOKEN, PD_SECRET, hex_hmac, pagerduty_incident_event
from tests.webhooks.conftest import Alerts


def test_a_body_over_one_megabyte_is_refused_413_before_it_is_read(alerts: Alerts) -> None:
    big = json.dumps({"event": {"padding": "x" * 1_000_001}}).encode()
    assert alerts.send.pagerduty(big).status == 413
    assert alerts.deliveries() == 0


def test_a_body_over_one_megabyte_without_a_length_is_refused_413_too(alerts: Alerts) -> None:
    big = b"{" + b" " * 1_000_001 + b"}"
    captured: dict[str, str] = {}
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/webhooks/opsgenie",
        "wsgi.input": io.BytesIO(big),
        "HTTP_AUTHORIZATION": f"Bearer {OPSGENIE_TOKEN}",
    }
    b"".join(alerts.send.wsgi(environ, lambda status, headers, exc_info=None: captured.update(status=status)))
    assert captured["status"].startswith("413")


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2, 3]", b"\xff\xfe\x00", b"[" * 100_000, b'{"event": {"event_type": "incident.triggered"}}'],
    ids=["malformed", "not an object", "not utf-8", "nested too deep", "not pagerduty's shape"],
)
def test_a_signed_body_that_is_not_a_pagerduty_event_is_refused_400(alerts: Alerts, body: bytes) -> None:
    response = alerts.send.pagerduty(body, signature=f"v1={hex_hmac(PD_SECRET, body)}")
    assert response.status == 400, response.body
    assert response.json()["error"]
    assert alerts.deliveries() == 0


def test_an_unsigned_malformed_body_is_refused_401_before_it_is_parsed(alerts: Alerts) -> None:
    assert alerts.send.pagerduty(b"{not json", signature="v1=00").status == 401


def test_an_unknown_source_or_path_is_404_and_a_get_is_405(alerts: Alerts) -> None:
    assert alerts.send.post("/webhooks/nagios", b"{}").status == 404
    assert alerts.send.post("/webhooks/pagerduty/T111/extra", b"{}").status == 404
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/webhooks/pagerduty", "wsgi.input": io.BytesIO(b"")}
    captured: dict[str, str] = {}
    b"".join(alerts.send.wsgi(environ, lambda status, headers, exc_info=None: captured.update(status=status)))
    assert captured["status"].startswith("405")


def test_the_answer_comes_without_any_call_to_slack(alerts: Alerts) -> None:
    before = len(alerts.fake.calls)
    payload = pagerduty_incident_event("incident.triggered", event_id="01SLACKFREE", occurred_at="2026-12-02T13:50:07Z")
    assert alerts.send.pagerduty(payload).status == 200
    assert alerts.fake.calls[before:] == []


def test_the_single_workspace_is_asked_of_slack_once_and_kept_for_every_later_process_and_delivery(
    make_alerts,
) -> None:
    def auth_tests(alerts: Alerts) -> int:
        return [call.method for call in alerts.fake.calls].count("auth.test")

    first = make_alerts(
        pagerduty_webhook_secret=(), opsgenie_webhook_token=(), alertmanager_webhook_token=(), grafana_webhook_secret=()
    )
    assert auth_tests(first) == 1
    alerts = make_alerts()  # the next web process, on the same database
    assert auth_tests(alerts) == 1
    payload = pagerduty_incident_event("incident.triggered", event_id="01TEAM", occurred_at="2026-12-02T13:50:07Z")
    alerts.send.pagerduty(payload)
    alerts.send.pagerduty(
        pagerduty_incident_event("incident.resolved", event_id="01TEAM2", occurred_at="2026-12-02T14:00:07Z")
    )
    assert auth_tests(alerts) == 1
    assert [row.team_id for row in alerts.stored("T111")] == ["T111", "T111"]


def test_what_follows_recording_sees_only_new_events_in_the_same_transaction(
    alerts: Alerts, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.services import alert_intake

    seen: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(alert_intake, "AFTER_RECORDING", [])
    alert_intake.after_recording(
        lambda session, team_id, stored, now: seen.append((team_id, [s.action for s in stored]))
    )
    payload = pagerduty_incident_event("incident.triggered", event_id="01HOOK", occurred_at="2026-12-02T13:50:07Z")
    alerts.send.pagerduty(payload)
    alerts.send.pagerduty(payload)
    assert seen == [("T111", ["triggered"])]


def test_a_failure_after_recording_stores_nothing_and_asks_the_sender_to_retry(
    alerts: Alerts, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from bot.services import alert_intake

    def database_gone(*args: object) -> None:
        raise OperationalError("INSERT", {}, Exception("connection lost"))

    monkeypatch.setattr(alert_intake, "AFTER_RECORDING", [database_gone])
    payload = pagerduty_incident_event("incident.triggered", event_id="01LOST", occurred_at="2026-12-02T13:50:07Z")
    assert alerts.send.pagerduty(payload).status == 503
    assert alerts.stored() == []
    monkeypatch.setattr(alert_intake, "AFTER_RECORDING", [])
    assert alerts.send.pagerduty(payload).json()["new"] == 1


def test_the_same_delivery_arriving_eight_times_at_once_is_stored_once(alerts: Alerts) -> None:
    from concurrent.futures import ThreadPoolExecutor

    payload = pagerduty_incident_event("incident.triggered", event_id="01RACE", occurred_at="2026-12-02T13:50:07Z")
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: alerts.send.pagerduty(payload), range(8)))
    assert [a.status for a in answers] == [200] * 8
    assert sum(a.json()["new"] for a in answers) == 1
    assert len(alerts.stored()) == 1
    assert alerts.deliveries() == 1
