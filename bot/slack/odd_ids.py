"""Requests whose Slack ids are longer than Slack makes them are acknowledged, never stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse

from bot.core.slack_ids import MAX_ID_CHARS, oversized_id

log = logging.getLogger(__name__)


def ignore_oversized_ids(body: dict[str, Any], next_: Callable[[], None]) -> BoltResponse | None:
    """Bolt global middleware, before every listener: a 200 with nothing done for a payload carrying an
    id or ts over the width of its column (bot/core/slack_ids.py). Such an event is not
    Slack's, and answering anything else would make Slack deliver it again and again."""
    found = oversized_id(body)
    if found is None:
        next_()
        return None
    log.warning("ignored a request whose %s is longer than %d characters", found, MAX_ID_CHARS)
    return BoltResponse(status=200, body="")
