"""Scheduled status-update reminders: an unresolved incident that has gone its severity's
interval (SCRIBE_UPDATE_EVERY) without an update reminds its commander, once per interval."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.core.updates import parse_update_every
from bot.jobs.owed import deliver_outbox
from bot.services import status_updates
from bot.slack.deps import Deps
from bot.slack.running_text import reminder_message

log = logging.getLogger(__name__)


def send_update_reminders(deps: Deps, client: WebClient, now: datetime) -> None:
    every = parse_update_every(deps.settings.update_every)
    if not every:
        return
    queued = status_updates.queue_reminders(deps.sessions, now=now, every=every, render=reminder_message)
    if queued:
        log.info("update reminders: queued %d", len(queued))
        deliver_outbox(deps, client, now)
