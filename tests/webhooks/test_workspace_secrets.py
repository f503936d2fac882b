"""The multi-workspace install: each workspace's own secrets, managed with ``scribe webhooks``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.cli import main
from tests.support.alert_senders import (
    alertmanager_group,
    grafana_notification,
    opsgenie_action,
    pagerduty_incident_event,
    prometheus_alert,
)
from tests.webhooks.conftest import Alerts

TRIGGERED = pagerduty_incident_event("incident.triggered", event_id="01WS", occurred_at="2026-12-02T13:50:07Z")


@pytest.fixture
def scribe_webhooks(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    monkeypatch.setenv("DATABASE_URL", database_url)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["webhooks", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def oauth_alerts(make_alerts: Callable[..., Alerts]) -> Alerts:
    """No bot token and no operator secrets: the multi-workspace install."""
    return make_alerts(
        slack_bot_token=None,
        slack_client_id="1111.2222",
        slack_client_secret="client-secret",
        pagerduty_webhook_secret=(),
        opsgenie_webhook_token=(),
        alertmanager_webhook_token=(),
        grafana_webhook_secret=(),
    )


def test_a_workspace_added_with_its_pagerduty_secret_receives_on_its_own_path(
    oauth_alerts: Alerts, scribe_webhooks: Callable[..., tuple[int, str, str]]
) -> None:
    assert (
        oauth_alerts.send.pagerduty(
            TRIGGERED, secrets=("ws-a-secret-0123456789",), path="/webhooks/pagerduty/TAAA1"
        ).status
        == 404
    )
    code, out, _ = scribe_webhooks(
        "add",
        "pagerduty",
        "--team",
        "TAAA1",
        "--secret",
        "ws-a-secret-0123456789",
        "--base-url",
        "https://scribe.example.com/",
    )
    assert code == 0
    assert "URL: https://scribe.example.com/webhooks/pagerduty/TAAA1" in out
    assert "ws-a-secret-0123456789" not in out
    path = "/webhooks/pagerduty/TAAA1"
    assert oauth_alerts.send.pagerduty(TRIGGERED, secrets=("ws-a-secret-0123456789",), path=path).status == 200
    assert oauth_alerts.send.pagerduty(TRIGGERED, secrets=("someone-elses",), path=path).status == 401
    assert (
        oauth_alerts.send.pagerduty(
            TRIGGERED, secrets=("ws-a-secret-0123456789",), path="/webhooks/pagerduty/TBBB2"
        ).status
        == 404
    )
    assert (
        oauth_alerts.send.pagerduty(TRIGGERED, secrets=("ws-a-secret-0123456789",)).status == 404
    )  # no single workspace
    assert [row.team_id for row in oauth_alerts.stored("TAAA1")] == ["TAAA1"]


def test_pagerduty_needs_the_subscriptions_secret_and_says_so(
    scribe_webhooks: Callable[..., tuple[int, str, str]],
) -> None:
    code, _, err = scribe_webhooks("add", "pagerduty", "--team", "TAAA1")
    assert code == 2
    assert "--secret" in err
    assert "URL: https://YOUR-SCRIBE-HOST/webhooks/pagerduty/TAAA1" in err


def test_a_made_token_is_shown_once_and_masked_in_the_list(
    oauth_alerts: Alerts, scribe_webhooks: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, _ = scribe_webhooks("add", "opsgenie", "--team", "TAAA1")
    assert code == 0
    token = re.search(r"secret \(shown once\): (\S+)", out)[1]  # type: ignore[index]
    assert f"Authorization: Bearer {token}" in out
    _, listed, _ = scribe_webhooks("list")
    assert token not in listed
    assert f"TAAA1\topsgenie\t/webhooks/opsgenie/TAAA1\t{token[:4]}…" in listed
    created = opsgenie_action("Create", updated_at_ns=1_796_219_407_123_000_001)
    assert oauth_alerts.send.opsgenie(created, token=token, path="/webhooks/opsgenie/TAAA1").status == 200


def test_a_rotated_secret_keeps_both_valid_until_the_old_one_is_removed(
    oauth_alerts: Alerts, scribe_webhooks: Callable[..., tuple[int, str, str]]
) -> None:
    scribe_webhooks("add", "alertmanager", "--team", "TAAA1", "--secret", "old-token-aaaaaaaaaaaa")
    scribe_webhooks("add", "alertmanager", "--team", "TAAA1", "--secret", "new-token-bbbbbbbbbbbb")
    path = "/webhooks/alertmanager/TAAA1"
    firing = prometheus_alert("firing", alertname="Disk", fingerprint="ffee", starts_at="2026-12-02T13:00:00Z")
    assert (
        oauth_alerts.send.alertmanager(alertmanager_group(firing), token="old-token-aaaaaaaaaaaa", path=path).status
        == 200
    )
    _, listed, _ = scribe_webhooks("list", "--team", "TAAA1")
    old_id = next(line.split("\t")[0] for line in listed.splitlines() if "\told-…" in line)
    assert scribe_webhooks("remove", "alertmanager", "--team", "TAAA1", "--id", old_id)[0] == 0
    assert (
        oauth_alerts.send.alertmanager(alertmanager_group(firing), token="old-token-aaaaaaaaaaaa", path=path).status
        == 401
    )
    assert (
        oauth_alerts.send.alertmanager(alertmanager_group(firing), token="new-token-bbbbbbbbbbbb", path=path).status
        == 200
    )
    assert scribe_webhooks("remove", "alertmanager", "--team", "TAAA1")[0] == 0
    assert (
        oauth_alerts.send.alertmanager(alertmanager_group(firing), token="new-token-bbbbbbbbbbbb", path=path).status
        == 404
    )


def test_the_same_event_id_in_two_workspaces_is_kept_for_each(
    oauth_alerts: Alerts, scribe_webhooks: Callable[..., tuple[int, str, str]]
) -> None:
    for team in ("TAAA1", "TBBB2"):
        scribe_webhooks("add", "pagerduty", "--team", team, "--secret", f"secret-of-{team}-0000")
        path = f"/webhooks/pagerduty/{team}"
        assert oauth_alerts.send.pagerduty(TRIGGERED, secrets=(f"secret-of-{team}-0000",), path=path).json()["new"] == 1
    assert len(oauth_alerts.stored("TAAA1")) == 1
    assert len(oauth_alerts.stored("TBBB2")) == 1


def test_a_team_id_that_is_not_one_is_refused(scribe_webhooks: Callable[..., tuple[int, str, str]]) -> None:
    with pytest.raises(SystemExit, match="not a Slack team id"):
        scribe_webhooks("add", "grafana", "--team", "../etc")


def test_a_workspaces_grafana_secret_with_a_timestamp_header_refuses_a_stale_delivery(
    oauth_alerts: Alerts, scribe_webhooks: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, _ = scribe_webhooks("add", "grafana", "--team", "TAAA1", "--timestamp-header", "X-Scribe-Timestamp")
    assert code == 0
    secret = re.search(r"secret \(shown once\): (\S+)", out)[1]  # type: ignore[index]
    assert f"Secret: {secret}" in out
    path, now = "/webhooks/grafana/TAAA1", int(oauth_alerts.clock().timestamp())
    firing = prometheus_alert("firing", alertname="Disk", fingerprint="ffee", starts_at="2026-12-02T13:00:00Z")
    body = grafana_notification(firing)
    sent: dict[str, Any] = {"secret": secret, "path": path, "timestamp_header": "X-Scribe-Timestamp"}
    assert oauth_alerts.send.grafana(body, timestamp=now - 600, **sent).status == 401
    assert oauth_alerts.send.grafana(body, **sent).status == 401
    assert oauth_alerts.send.grafana(body, timestamp=now, **sent).status == 200
    _, listed, _ = scribe_webhooks("list")
    assert "timestamp header X-Scribe-Timestamp" in listed
    assert secret not in listed
