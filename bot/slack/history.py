"""Backfill through the Web API: ``conversations.history`` and ``.replies``, page by page.

These methods are heavily rate limited for some app types (one call a minute for new commercially
distributed apps), so the backfill uses a client whose slack_sdk ``RateLimitErrorRetryHandler``
keeps honouring Retry-After for much longer than the interactive client does. It runs after the
ack (``background.after_ack``), never in the 3 s answer.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.backfill import Backfilled, Page, backfill_channel
from bot.slack.background import after_ack
from bot.slack.client import build_client
from bot.slack.deps import Deps

log = logging.getLogger(__name__)

PAGE_SIZE = 200
RATE_LIMIT_RETRIES = 60
"""Enough patience for an hour of one-call-a-minute limits before a backfill gives up."""


def patient_client(client: WebClient) -> WebClient:
    """The same token and API URL with a long rate-limit patience, and the same refusal as every
    client of ours to resend a post whose answer was lost (the backfill tells its starter with
    chat.postEphemeral)."""
    return build_client(client.token, client.base_url, timeout=client.timeout, rate_limit_retries=RATE_LIMIT_RETRIES)


class SlackHistory:
    """The ``HistorySource`` of a channel the bot can read (joining a public one if it must)."""

    def __init__(self, client: WebClient, *, page_size: int = PAGE_SIZE) -> None:
        self.client = client
        self.page_size = page_size
        self._joined = False

    def history(self, channel_id: str, *, oldest: str, cursor: str | None, latest: str | None = None) -> Page:
        return self._page("conversations_history", channel=channel_id, oldest=oldest, latest=latest, cursor=cursor)

    def replies(self, channel_id: str, thread_ts: str, *, oldest: str, cursor: str | None) -> Page:
        return self._page("conversations_replies", channel=channel_id, ts=thread_ts, oldest=oldest, cursor=cursor)

    def _page(self, method: str, **params: str | None) -> Page:
        args = {k: v for k, v in params.items() if v}
        try:
            response = getattr(self.client, method)(limit=self.page_size, inclusive=True, **args)
        except SlackApiError as error:
            if error.response.get("error") != "not_in_channel" or self._joined:
                raise
            self.client.conversations_join(channel=params["channel"])
            self._joined = True
            response = getattr(self.client, method)(limit=self.page_size, inclusive=True, **args)
        messages = list(response.get("messages") or [])
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        return Page(messages=messages, next_cursor=cursor)


def backfill_now(deps: Deps, client: WebClient, *, team_id: str, channel_id: str, oldest: datetime) -> Backfilled:
    history = SlackHistory(patient_client(client))
    return backfill_channel(deps.sessions, history, team_id=team_id, channel_id=channel_id, oldest=oldest)


def backfill_after_ack(
    deps: Deps, client: WebClient, *, team_id: str, channel_id: str, user_id: str, oldest: datetime
) -> None:
    """Start the backfill in the background; tell the starter (privately) what it added."""

    def work() -> None:
        done = backfill_now(deps, client, team_id=team_id, channel_id=channel_id, oldest=oldest)
        log.info("backfilled %s: %d read, %d new, %d calls", channel_id, done.read, done.added, done.calls)
        if done.added:
            noun = "message" if done.added == 1 else "messages"
            try:
                client.chat_postEphemeral(
                    channel=channel_id,
                    user=user_id,
                    text=f":inbox_tray: Recorded {done.added} earlier {noun} said here since {oldest:%Y-%m-%d %H:%M} UTC.",
                )
            except SlackApiError:
                log.warning("could not tell %s about the backfill of %s", user_id, channel_id, exc_info=True)

    after_ack(work, what=f"backfill of {channel_id}")
