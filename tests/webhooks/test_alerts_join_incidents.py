"""Signed webhook deliveries and signed Slack requests against the one HTTP app: alerts join
incidents by link and by route, and write their timelines."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main as scribe_cli
from bot.server import http_app
from bot.services.drafts import draft_json
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from storage.models import Incident
from tests.conftest import Clock, settings_for
from tests.support.action_items import run_jobs
from tests.support.alert_senders import (
    ADA,
    Senders,
    alertmanager_group,
    opsgenie_action,
    pagerduty_incident_event,
    prometheus_alert,
)
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackRequests
from tests.support.web_pages import Visitor
from tests.webhooks.conftest import OPERATOR_SECRETS

PD_URL = "https://acme.pagerduty.com/incidents/Q2K8ZL5W6XQ1TA"
TRIGGERED = pagerduty_incident_event(
    "incident.triggered", event_id="01DEN5W4ZQ1QKM9AK6S2J5X9QE", occurred_at="2026-11-29T13:50:07.512Z"
)
ACKNOWLEDGED = pagerduty_incident_event(
    "incident.acknowledged", event_id="01DEN5X2B9Y6H5K8M3P1Q7R4TW", occurred_at="2026-11-29T13:55:41.003Z", agent=ADA
)
RESOLVED = pagerduty_incident_event(
    "incident.resolved", event_id="01DEN6A7C2D4E6F8G0H2J4K6MN", occurred_at="2026-11-29T14:31:00Z", agent=None
)


@dataclass
class App:
    """The Procfile's web app as Slack and the paging tools see it."""

    slack: SlackRequests
    send: Senders
    fake: FakeSlack
    sessions: sessionmaker[Session]
    clock: Clock
    settings: Any
    deps: Deps
    wsgi: Any

    def command(self, text: str, **kwargs: Any) -> dict[str, Any]:
        response = self.slack.command(text, **kwargs)
        wait_for_background()
        assert response.status == 200, response.body
        body: dict[str, Any] = response.json()
        return body

    def draft(self, channel: str) -> dict[str, Any]:
        with self.sessions() as session:
            return draft_json(session, channel, now=self.clock(), settings=self.settings)


@pytest.fixture
def app(database_url: str, sessions: sessionmaker[Session], fake_slack: FakeSlack, clock: Clock) -> Iterator[App]:
    settings = settings_for(
        database_url,
        fake_slack,
        slack_client_id=fake_slack.client_id,
        slack_client_secret=fake_slack.client_secret,
        session_secret="test-session-secret",
        **OPERATOR_SECRETS,
    )
    deps = Deps(settings=settings, sessions=sessions, clock=clock)
    wsgi = http_app(deps)
    yield App(
        SlackRequests(wsgi, response_url=fake_slack.respond_url()),
        Senders(wsgi),
        fake_slack,
        sessions,
        clock,
        settings,
        deps,
        wsgi,
    )
    wait_for_background()
    deps.writes.close()


def test_pagerduty_deliveries_before_and_after_a_link_write_the_incident(app: App) -> None:
    app.clock.set("2026-11-29T13:58:00Z")
    assert app.send.pagerduty(TRIGGERED).status == 200
    app.command("start sev1 Checkout latency", channel="C1", user="U1")
    assert "1 alert event" in app.command(f"link {PD_URL}", channel="C1", user="U1")["text"]
    assert app.send.pagerduty(ACKNOWLEDGED).status == 200
    assert app.send.pagerduty(ACKNOWLEDGED).status == 200  # redelivered
    assert app.send.pagerduty(RESOLVED).status == 200
    draft = app.draft("C1")
    assert draft["phases"] == {
        "detected": "2026-11-29T13:50:07.512000Z",
        "acknowledged": "2026-11-29T13:55:41.003000Z",
        "mitigated": None,
        "resolved": None,
    }
    assert [(a["action"], a["by"]) for a in draft["alerts"]] == [
        ("triggered", None),
        ("acknowledged", "Ada Lovelace"),
        ("resolved", None),
    ]
    assert draft["alerts_resolved_at"] == "2026-11-29T14:31:00Z"
    assert draft["incident"]["status"] == "active"


def test_a_routed_alertmanager_group_declares_once_and_its_resolution_only_suggests(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", app.settings.database_url)
    assert scribe_cli(["alerts", "route", "add", "alertmanager", "severity=critical", "--declare", "sev2"]) == 0
    firing = alertmanager_group(
        prometheus_alert(
            "firing",
            alertname="CheckoutErrors",
            fingerprint="c4f0e4e0f5a0b8f1",
            starts_at="2026-11-29T13:47:59.123456789Z",
        ),
        prometheus_alert(
            "firing",
            alertname="CheckoutErrors",
            fingerprint="0d1e2f3a4b5c6d7e",
            starts_at="2026-11-29T13:48:30Z",
            instance="checkout-2:9090",
        ),
    )
    app.clock.set("2026-11-29T13:48:45Z")
    assert app.send.alertmanager(firing).status == 200
    assert app.send.alertmanager(firing).status == 200  # Alertmanager repeats a group until it resolves
    wait_for_background()
    run_jobs(app, "2026-11-29T13:49:00Z")  # the clock finds nothing left to do
    with app.sessions() as session:
        [incident] = session.scalars(select(Incident)).all()
    assert incident.severity == "sev2"
    assert len(app.fake.calls_to("conversations.create")) == 1
    resolved = alertmanager_group(
        prometheus_alert(
            "resolved",
            alertname="CheckoutErrors",
            fingerprint="c4f0e4e0f5a0b8f1",
            starts_at="2026-11-29T13:47:59.123456789Z",
            ends_at="2026-11-29T14:20:00Z",
        ),
        prometheus_alert(
            "resolved",
            alertname="CheckoutErrors",
            fingerprint="0d1e2f3a4b5c6d7e",
            starts_at="2026-11-29T13:48:30Z",
            ends_at="2026-11-29T14:21:00Z",
            instance="checkout-2:9090",
        ),
    )
    app.clock.set("2026-11-29T14:21:30Z")
    assert app.send.alertmanager(resolved).status == 200
    run_jobs(app, "2026-11-29T14:22:00Z")
    assert len(app.fake.calls_to("conversations.create")) == 1
    draft = app.draft(incident.channel_id)
    assert draft["phases"]["detected"] == "2026-11-29T13:47:59.123456Z"
    assert draft["phases"]["resolved"] is None
    assert draft["alerts_resolved_at"] == "2026-11-29T14:21:00Z"
    assert [a["action"] for a in draft["alerts"]] == ["firing", "firing", "resolved-alert", "resolved-alert"]


def test_an_opsgenie_alert_joins_by_tiny_id_and_by_its_url_posted_in_the_channel(app: App) -> None:
    app.clock.set("2026-12-02T14:00:00Z")
    created = opsgenie_action("Create", updated_at_ns=1_796_219_407_123_456_789)
    acknowledged = opsgenie_action("Acknowledge", updated_at_ns=1_796_219_700_987_654_321)
    assert app.send.opsgenie(created).status == 200
    app.command("start sev2 Checkout errors", channel="C1", user="U1")
    app.command("start sev2 Checkout errors again", channel="C2", user="U1")
    assert "1 alert event so far" in app.command("link 1791", channel="C1", user="U1")["text"]
    assert app.send.opsgenie(acknowledged).status == 200
    phases = app.draft("C1")["phases"]
    assert phases["detected"] == "2026-12-02T13:50:07.123000Z"
    assert phases["acknowledged"].startswith("2026-12-02T13:55:00.987654")
    url = f"https://acme.app.eu.opsgenie.com/alert/detail/{created['alert']['alertId']}/details"
    assert app.slack.message("C2", "1796220000.000100", f"Opsgenie: <{url}|#1791 Checkout error rate>").status == 200
    assert [a["action"] for a in app.draft("C2")["alerts"]] == ["triggered", "acknowledged"]


def test_the_incident_pages_alerts_view_lists_the_linked_alerts_events_linked_back(app: App) -> None:
    app.clock.set("2026-11-29T13:58:00Z")
    assert app.send.pagerduty(TRIGGERED).status == 200
    app.command("start sev1 Checkout latency", channel="C1", user="U1")
    app.command(f"link {PD_URL}", channel="C1", user="U1")
    assert app.send.pagerduty(ACKNOWLEDGED).status == 200
    app.fake.add_channel("C1", members=("U1",))
    with app.sessions() as session:
        incident_id = session.scalars(select(Incident.id)).one()
    person = Visitor(app.wsgi, app.fake)
    person.sign_in("U1")
    page = person.get(f"/ui/incidents/{incident_id}?view=alerts").text
    triggered, acknowledged = page.index("PagerDuty triggered"), page.index("PagerDuty acknowledged by Ada Lovelace")
    assert triggered < acknowledged
    assert 'datetime="2026-11-29T13:50:07' in page
    assert f'href="{PD_URL}"' in page
    assert "open in PagerDuty" in page


def test_a_routed_trigger_is_answered_at_once_and_declares_right_after_without_the_clock(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", app.settings.database_url)
    assert scribe_cli(["alerts", "route", "add", "pagerduty", "--declare", "sev1"]) == 0
    app.fake.latency = 1.0  # every Web API call takes a second, as on a bad day
    app.clock.set("2026-11-29T13:50:30Z")
    started = time.monotonic()
    assert app.send.pagerduty(TRIGGERED).status == 200
    assert time.monotonic() - started < 1.0  # the answer waited on no Web API call
    wait_for_background()
    with app.sessions() as session:
        [incident] = session.scalars(select(Incident)).all()
    assert incident.severity == "sev1"
    assert len(app.fake.calls_to("conversations.create")) == 1
    assert app.send.pagerduty(TRIGGERED).status == 200  # PagerDuty redelivers when it is unsure
    wait_for_background()
    assert len(app.fake.calls_to("conversations.create")) == 1
