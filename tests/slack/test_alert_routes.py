"""Routes declare incidents from alerts: `scribe alerts route …`, then a matching trigger runs the
same flow as `/incident declare` after the delivery, once per PagerDuty incident or Alertmanager group."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from bot.cli import main as scribe_cli
from bot.core.alert_events import AlertAction
from bot.services.drafts import draft_json
from storage.alert_link_models import AlertDeclaration
from storage.models import DeferredWork, Incident
from tests.conftest import Scribe
from tests.support.action_items import run_jobs
from tests.support.alerts import alertmanager_firing, deliver, pagerduty_event
from tests.support.databases import server_url

GROUP = '{}/{severity="critical"}:{alertname="HighErrorRate"}'


@pytest.fixture
def routed(scribe: Scribe, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Scribe:
    monkeypatch.setenv("DATABASE_URL", scribe.settings.database_url)
    assert (
        scribe_cli(["alerts", "route", "add", "pagerduty", "service=PA2P440", "urgency=high", "--declare", "sev1"]) == 0
    )
    assert scribe_cli(["alerts", "route", "add", "alertmanager", "severity=critical", "--declare", "sev2"]) == 0
    capsys.readouterr()
    return scribe


def declared(scribe: Scribe) -> list[Incident]:
    with scribe.sessions() as session:
        return list(session.scalars(select(Incident).order_by(Incident.id)))


def test_routes_are_added_listed_and_removed_from_the_command_line(
    routed: Scribe, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scribe_cli(["alerts", "route", "add", "pagerduty", "urgency=high", "service=PA2P440", "--declare", "2"]) == 0
    assert "route #1 (already there): pagerduty urgency=high service=PA2P440 --declare sev2" in capsys.readouterr().out
    assert scribe_cli(["alerts", "route", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == [
        "#1\tpagerduty service=PA2P440 urgency=high --declare sev2\t*",
        "#2\talertmanager severity=critical --declare sev2\t*",
    ]
    assert scribe_cli(["alerts", "route", "remove", "2"]) == 0
    assert scribe_cli(["alerts", "route", "remove", "2"]) == 1
    assert "there is no route #2" in capsys.readouterr().err
    assert scribe_cli(["alerts", "route", "add", "pagerduty", "urgency", "--declare", "sev1"]) == 2
    assert "not FIELD=VALUE" in capsys.readouterr().err
    assert scribe_cli(["alerts", "route", "add", "nagios", "--declare", "sev1", "--team", "T222"]) == 2
    assert "not a source" in capsys.readouterr().err


def test_a_matching_trigger_declares_once_after_the_delivery_and_later_events_join(routed: Scribe) -> None:
    routed.clock.set("2026-11-29T13:48:30Z")
    trigger = pagerduty_event("Q2K7ABCXYZ1234", AlertAction.TRIGGERED, "2026-11-29T13:48:10Z")
    before = len(routed.fake.calls)
    assert deliver(routed.sessions, "T111", trigger, received_at=routed.clock()) == 1
    assert routed.fake.calls[before:] == []  # nothing is asked of Slack while the delivery is answered
    assert deliver(routed.sessions, "T111", trigger, received_at=routed.clock()) == 0  # redelivered
    run_jobs(routed, "2026-11-29T13:48:40Z")
    [incident] = declared(routed)
    assert incident.severity == "sev1"
    assert incident.title == "[#1234] Checkout 5xx above 2%"
    [create] = routed.fake.calls_to("conversations.create")
    assert create.params["name"].startswith("inc-20261129-1234-checkout-5xx")
    header = next(
        c.params["text"] for c in routed.fake.calls_to("chat.postMessage") if c.params["channel"] == incident.channel_id
    )
    assert "declared by a route, for PagerDuty incident Q2K7ABCXYZ1234" in header
    assert routed.fake.calls_to("conversations.invite") == []

    ack = pagerduty_event("Q2K7ABCXYZ1234", AlertAction.ACKNOWLEDGED, "2026-11-29T13:55:00Z", by="Ada Okafor")
    again = pagerduty_event("Q2K7ABCXYZ1234", AlertAction.TRIGGERED, "2026-11-29T14:10:00Z")  # re-triggered
    deliver(routed.sessions, "T111", ack, again, received_at=routed.clock())
    run_jobs(routed, "2026-11-29T14:11:00Z")
    assert len(declared(routed)) == 1
    assert len(routed.fake.calls_to("conversations.create")) == 1
    with routed.sessions() as session:
        draft = draft_json(session, incident.channel_id, now=routed.clock(), settings=routed.settings)
    assert draft["phases"]["detected"] == "2026-11-29T13:48:10Z"
    assert draft["phases"]["acknowledged"] == "2026-11-29T13:55:00Z"
    assert [alert["action"] for alert in draft["alerts"]] == ["triggered", "acknowledged", "triggered"]


def test_triggers_that_match_no_route_declare_nothing(routed: Scribe) -> None:
    low = pagerduty_event("Q9LOW", AlertAction.TRIGGERED, "2026-11-29T13:48:10Z", urgency="low")
    other = pagerduty_event("Q9OTHER", AlertAction.TRIGGERED, "2026-11-29T13:48:10Z", service="PZZZZZZ")
    ack = pagerduty_event("Q9ACK", AlertAction.ACKNOWLEDGED, "2026-11-29T13:48:10Z", by="Ada")
    deliver(routed.sessions, "T111", low, other, ack, received_at=routed.clock())
    run_jobs(routed, "2026-11-29T15:01:00Z")
    assert declared(routed) == []
    assert routed.fake.calls_to("conversations.create") == []


def test_alerts_of_one_alertmanager_group_declare_one_incident(routed: Scribe) -> None:
    first = alertmanager_firing("c4f0e4e0f5a0b8f1", GROUP, "2026-11-29T13:48:10.123456Z")
    second = alertmanager_firing("0d1e2f3a4b5c6d7e", GROUP, "2026-11-29T13:49:00Z")
    deliver(routed.sessions, "T111", first, received_at=routed.clock())
    deliver(routed.sessions, "T111", second, received_at=routed.clock())
    run_jobs(routed, "2026-11-29T15:01:00Z")
    [incident] = declared(routed)
    assert incident.severity == "sev2"
    with routed.sessions() as session:
        draft = draft_json(session, incident.channel_id, now=routed.clock(), settings=routed.settings)
    assert draft["phases"]["detected"] == "2026-11-29T13:48:10.123456Z"
    assert [alert["action"] for alert in draft["alerts"]] == ["firing", "firing"]


@pytest.mark.skipif(not server_url(), reason="concurrent writers need PostgreSQL")
def test_concurrent_deliveries_of_one_group_declare_once(routed: Scribe) -> None:
    events = [alertmanager_firing(f"{n:016x}", GROUP, f"2026-11-29T13:48:{n:02d}Z") for n in range(8)]
    barrier = threading.Barrier(len(events))

    def one(event: object) -> None:
        barrier.wait()
        deliver(routed.sessions, "T111", event, received_at=routed.clock())  # type: ignore[arg-type]

    threads = [threading.Thread(target=one, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with routed.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AlertDeclaration)) == 1
        assert session.scalar(select(func.count()).select_from(DeferredWork)) == 1
