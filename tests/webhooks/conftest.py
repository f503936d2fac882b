"""The app with webhook secrets set, as the operator of a single-token install sets them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.server import http_app
from bot.slack.deps import Deps
from storage.alert_models import AlertDelivery, AlertEventKey, StoredAlert
from tests.conftest import Clock, settings_for
from tests.support.alert_senders import (
    ALERTMANAGER_TOKEN,
    GRAFANA_SECRET,
    OPSGENIE_TOKEN,
    PD_OLD_SECRET,
    PD_SECRET,
    Senders,
)
from tests.support.fake_slack import FakeSlack

OPERATOR_SECRETS: dict[str, Any] = {
    "pagerduty_webhook_secret": (PD_SECRET, PD_OLD_SECRET),
    "opsgenie_webhook_token": (OPSGENIE_TOKEN,),
    "alertmanager_webhook_token": (ALERTMANAGER_TOKEN,),
    "grafana_webhook_secret": (GRAFANA_SECRET,),
}


@dataclass
class Alerts:
    send: Senders
    sessions: sessionmaker[Session]
    fake: FakeSlack
    clock: Clock

    def stored(self, team_id: str = "T111") -> list[StoredAlert]:
        with self.sessions() as session:
            rows = session.scalars(
                select(StoredAlert).where(StoredAlert.team_id == team_id).order_by(StoredAlert.id)
            ).all()
            session.expunge_all()
            return list(rows)

    def deliveries(self) -> int:
        with self.sessions() as session:
            return len(session.scalars(select(AlertDelivery.id)).all())

    def keys(self, event_id: int) -> set[tuple[str, str]]:
        with self.sessions() as session:
            return {
                (kind, value)
                for kind, value in session.execute(
                    select(AlertEventKey.kind, AlertEventKey.value).where(AlertEventKey.event_id == event_id)
                ).all()
            }


@pytest.fixture
def make_alerts(
    database_url: str, sessions: sessionmaker[Session], fake_slack: FakeSlack, clock: Clock
) -> Iterator[Callable[..., Alerts]]:
    made: list[Deps] = []

    def make(**overrides: Any) -> Alerts:
        settings = settings_for(database_url, fake_slack, **{**OPERATOR_SECRETS, **overrides})
        deps = Deps(settings=settings, sessions=sessions, clock=clock)
        made.append(deps)
        return Alerts(Senders(http_app(deps)), sessions, fake_slack, clock)

    yield make
    for deps in made:
        deps.writes.close()


@pytest.fixture
def alerts(make_alerts: Callable[..., Alerts]) -> Alerts:
    return make_alerts()
