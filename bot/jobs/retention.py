"""Scheduled retention: purge message text, and the delivered posts that quote it, older than
SCRIBE_RETENTION_DAYS (off by default)."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.services.retention import purge_expired_posts, purge_expired_text
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


def purge_old_message_text(deps: Deps, client: WebClient, now: datetime) -> None:
    days = deps.settings.retention_days
    if not days:
        return
    purged = purge_expired_text(deps.sessions, now=now, days=days)
    if purged:
        log.info("retention: purged the text of %d messages older than %d days", purged, days)
    emptied = purge_expired_posts(deps.sessions, now=now, days=days)
    if emptied:
        log.info("retention: emptied %d delivered posts older than %d days", emptied, days)
