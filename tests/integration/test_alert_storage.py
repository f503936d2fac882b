"""Alert events are kept once per workspace and source, and found again by any of their keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.alert_events import AlertAction, AlertEvent, AlertKey, AlertSource
from storage import alert_events
from storage.alert_models import AlertDelivery, StoredAlert

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
INCIDENT = AlertKey(AlertSource.PAGERDUTY, "incident", "Q2XYZ")


def event(external_id: str, action: AlertAction, minutes: int) -> AlertEvent:
    return AlertEvent(
        source=AlertSource.PAGERDUTY,
        external_id=external_id,
        action=action,
        at=NOW + timedelta(minutes=minutes),
        title="Checkout latency",
        group=INCIDENT,
        keys=frozenset({INCIDENT, AlertKey(AlertSource.PAGERDUTY, "incident", "1234")}),
        service="PA2P440",
        fields={"service": "PA2P440", "urgency": "high"},
    )


def store(session: Session, team_id: str, body: str, *events: AlertEvent) -> list[StoredAlert]:
    delivery_id, new = alert_events.store_delivery(
        session, team_id=team_id, source=AlertSource.PAGERDUTY, body=body, received_at=NOW
    )
    stored = alert_events.store_events(
        session, team_id=team_id, delivery_id=delivery_id, events=events, received_at=NOW
    )
    if new and not stored:
        alert_events.forget_delivery(session, delivery_id)
    return stored


def test_an_event_delivered_twice_is_kept_once_with_its_body(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first = store(session, "T1", '{"a": 1}', event("01EVT", AlertAction.TRIGGERED, 0))
    with sessions.begin() as session:
        again = store(session, "T1", '{"a": 1}', event("01EVT", AlertAction.TRIGGERED, 0))
        reworded = store(session, "T1", '{"a": 1, "b": 2}', event("01EVT", AlertAction.TRIGGERED, 0))
    assert [row.external_id for row in first] == ["01EVT"]
    assert again == []
    assert reworded == []
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(StoredAlert)) == 1
        assert session.scalar(select(func.count()).select_from(AlertDelivery)) == 1
        assert alert_events.raw_body(session, first[0].id) == '{"a": 1}'


def test_the_same_event_id_in_another_workspace_is_that_workspaces_own(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        store(session, "T1", "{}", event("01EVT", AlertAction.TRIGGERED, 0))
        store(session, "T2", "{}", event("01EVT", AlertAction.TRIGGERED, 0))
    with sessions() as session:
        assert [row.team_id for row in alert_events.events_by_key(session, team_id="T2", key=INCIDENT)] == ["T2"]


def test_events_are_found_by_any_key_oldest_first_with_aware_utc_times(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        store(session, "T1", "{1}", event("02ACK", AlertAction.ACKNOWLEDGED, 5))
        store(session, "T1", "{2}", event("01EVT", AlertAction.TRIGGERED, 0))
    with sessions() as session:
        found = alert_events.events_by_key(
            session, team_id="T1", key=AlertKey(AlertSource.PAGERDUTY, "incident", "1234")
        )
        assert [(row.action, row.at) for row in found] == [
            ("triggered", NOW),
            ("acknowledged", NOW + timedelta(minutes=5)),
        ]
        assert [row.external_id for row in alert_events.events_of_group(session, team_id="T1", group=INCIDENT)] == [
            "01EVT",
            "02ACK",
        ]
        assert alert_events.keys_of(session, found[0].id) == event("01EVT", AlertAction.TRIGGERED, 0).keys
        assert found[0].fields == {"service": "PA2P440", "urgency": "high"}
        assert (
            alert_events.events_by_key(session, team_id="T1", key=AlertKey(AlertSource.OPSGENIE, "incident", "1234"))
            == []
        )
