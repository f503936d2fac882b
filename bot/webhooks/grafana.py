"""Grafana alerting's webhook contact point: Alertmanager's notification shape with Grafana's
extras (``orgId``, ``panelURL``, ``dashboardURL``, ``silenceURL``, ``values``); firing and
resolved alerts arrive mixed in one body."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.core.alert_events import AlertEvent, AlertSource
from bot.webhooks.alertmanager import parse_group


def parse(payload: Mapping[str, Any], *, received_at: datetime) -> list[AlertEvent]:
    return parse_group(payload, source=AlertSource.GRAFANA, received_at=received_at)
