"""Scheduled replay of the local spool (SCRIBE_SPOOL_DIR), for a clock that shares the web
processes' disk. Each web process also replays at its next stored message event."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient

from bot.services.spool import Spool
from bot.slack.deps import Deps
from bot.slack.listeners.events import store_kept_event


def replay_spool(deps: Deps, client: WebClient, now: datetime) -> None:
    if deps.settings.spool_dir:
        Spool(deps.settings.spool_dir).replay(lambda record: store_kept_event(deps.writes, record))
