"""No length of a sender's field loses a delivery: every string field of each sender's payload,
made 10 kB long in turn, is answered without a 5xx, kept once, never cut, and a routed trigger
still declares its incident and links it (so the long group key meets every alert table).

Run with TEST_DATABASE_URL set: SQLite does not enforce a column's length, PostgreSQL does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cli import main as scribe_cli
from bot.server import http_app
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from storage.alert_link_models import AlertDeclaration, AlertLink
from storage.alert_models import AlertEventKey, StoredAlert
from storage.models import Incident
from tests.conftest import settings_for
from tests.support.alert_senders import (
    ADA,
    Senders,
    alertmanager_group,
    grafana_notification,
    opsgenie_action,
    pagerduty_incident_event,
    pagerduty_note_event,
    prometheus_alert,
)
from tests.support.long_values import Path, cut_values, lengthened, named, string_paths
from tests.webhooks.conftest import OPERATOR_SECRETS

ALERT = prometheus_alert(
    "firing", alertname="CheckoutErrors", fingerprint="a1b2c3d4e5f60718", starts_at="2026-11-29T13:49:52.123456789Z"
)

PAYLOADS: dict[str, tuple[str, dict[str, Any]]] = {
    "pagerduty-triggered": (
        "pagerduty",
        pagerduty_incident_event(
            "incident.triggered", event_id="01DEN5W4ZQ1QKM9AK6S2J5X9QE", occurred_at="2026-11-29T13:50:07.512Z"
        ),
    ),
    "pagerduty-acknowledged": (
        "pagerduty",
        pagerduty_incident_event(
            "incident.acknowledged",
            event_id="01DEN5X2B9Y6H5K8M3P1Q7R4TW",
            occurred_at="2026-11-29T13:55:41Z",
            agent=ADA,
        ),
    ),
    "pagerduty-annotated": (
        "pagerduty",
        pagerduty_note_event(event_id="01DEN5Y0NOTE0000000000000", occurred_at="2026-11-29T13:57:00Z"),
    ),
    "opsgenie-create": ("opsgenie", opsgenie_action("Create", updated_at_ns=1_796_219_407_123_000_000)),
    "opsgenie-acknowledge": ("opsgenie", opsgenie_action("Acknowledge", updated_at_ns=1_796_219_500_000_000_000)),
    "alertmanager": ("alertmanager", alertmanager_group(ALERT)),
    "grafana": ("grafana", grafana_notification(ALERT)),
}

FORMATTED = {
    ("pagerduty", ("event", "occurred_at")),
    ("alertmanager", ("alerts", 0, "status")),
    ("alertmanager", ("alerts", 0, "startsAt")),
    ("grafana", ("alerts", 0, "status")),
    ("grafana", ("alerts", 0, "startsAt")),
}
"""Fields whose value has a documented form (a time, a status): made long they are no longer
that form, and the delivery is refused with a 400 naming the field, which no sender retries."""


def cases() -> Iterator[Any]:
    for name, (source, payload) in PAYLOADS.items():
        for path in string_paths(payload):
            yield pytest.param(source, payload, path, id=f"{name}:{named(path)}")


def send(senders: Senders, source: str, payload: dict[str, Any]) -> Any:
    post: Callable[[dict[str, Any]], Any] = getattr(senders, source)
    return post(payload)


@pytest.fixture
def make_app(database_url: str, sessions: Any, fake_slack: Any, clock: Any) -> Iterator[Callable[[], Senders]]:
    made: list[Deps] = []

    def make() -> Senders:
        deps = Deps(settings=settings_for(database_url, fake_slack, **OPERATOR_SECRETS), sessions=sessions, clock=clock)
        made.append(deps)
        return Senders(http_app(deps))

    yield make
    wait_for_background()
    for deps in made:
        deps.writes.close()


def alert_rows(session: Session) -> list[Any]:
    """Every value the alert tables hold, row by row."""
    rows: list[Any] = []
    for model in (StoredAlert, AlertEventKey, AlertLink, AlertDeclaration):
        for row in session.scalars(select(model)):
            rows.append({column.key: getattr(row, column.key) for column in model.__mapper__.column_attrs})
    return rows


@pytest.mark.parametrize(("source", "payload", "path"), list(cases()))
def test_a_10_kb_field_in_any_senders_payload_is_kept_whole_once_and_never_refused_for_its_length(
    source: str,
    payload: dict[str, Any],
    path: Path,
    make_app: Callable[[], Senders],
    sessions: Any,
    clock: Any,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert scribe_cli(["alerts", "route", "add", source, "--declare", "sev1"]) == 0
    senders = make_app()
    clock.set("2026-11-29T14:00:00Z")
    long = lengthened(payload, path)

    first = send(senders, source, long)
    again = send(senders, source, long)  # a redelivery of the same body
    wait_for_background()

    if (source, path) in FORMATTED:
        assert (first.status, again.status) == (400, 400), first.body
        assert named(path).split(".")[-1] in first.body
        return
    assert (first.status, again.status) == (200, 200), first.body
    with sessions() as session:
        rows = alert_rows(session)
        events = session.scalars(select(StoredAlert)).all()
        declared = session.scalars(select(AlertDeclaration)).all()
        incidents = session.scalars(select(Incident)).all()
        assert len(events) == 1  # kept, and kept once
        assert cut_values(rows) == []
        if events[0].action in ("triggered", "firing"):
            assert len(declared) == 1
            assert len(incidents) == 1
            assert declared[0].incident_id == incidents[0].id
            assert session.scalars(select(AlertLink)).all() != []
