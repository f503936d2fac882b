"""Use case behind every webhook delivery: keep each alert event once, then let what joins
alerts to incidents see the new ones.

The caller (bot/webhooks/app.py) owns the transaction and answers only after it commits:
store first, then answer, so a database outage makes the sender retry instead of losing the
event. Nothing here may call Slack: senders wait a few seconds for the answer (PagerDuty 5 s).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.alert_events import AlertEvent, AlertSource
from storage import alert_events as repo
from storage.alert_models import StoredAlert

log = logging.getLogger(__name__)

AfterRecording = Callable[[Session, str, Sequence[StoredAlert], datetime], None]
"""``(session, team_id, newly_stored, now)``, called in the delivery's transaction."""

AFTER_RECORDING: list[AfterRecording] = []
"""THE HOOK POINT for what follows newly stored alert events (links to incidents, routes that
declare incidents, timeline entries). Each callable runs in the same transaction as the store,
before the delivery is answered, with only the events that are new (a redelivery passes none
and the callables are not called). Work that needs Slack must not be done here: queue it as
deferred work (bot/services/deferred.py) in this transaction, and it runs after the answer.
Register with :func:`after_recording`."""


def after_recording(hook: AfterRecording) -> AfterRecording:
    """Register ``hook`` to run after every delivery that stored new events (usable as a decorator)."""
    if hook not in AFTER_RECORDING:
        AFTER_RECORDING.append(hook)
    return hook


def record_alert_events(
    session: Session,
    *,
    team_id: str,
    source: AlertSource,
    events: Sequence[AlertEvent],
    raw_body: str,
    now: datetime,
) -> list[StoredAlert]:
    """Keep the delivery's body and each of its events once for this workspace; the events that
    were new, in delivery order. A delivery seen before (same body, or only events already kept)
    stores nothing and returns ``[]``."""
    delivery_id, new_delivery = repo.store_delivery(
        session, team_id=team_id, source=source, body=raw_body, received_at=now
    )
    stored = repo.store_events(session, team_id=team_id, delivery_id=delivery_id, events=events, received_at=now)
    if not stored:
        if new_delivery:  # a resend with different bytes but no new event: keep nothing of it
            repo.forget_delivery(session, delivery_id)
        return []
    for hook in AFTER_RECORDING:
        hook(session, team_id, stored, now)
    return stored
