"""Backfill through the Web API: ``conversations.history`` and ``.replies``, page by page.

These methods are heavily rate limited for some app types (one call a minute for new commercially
distributed apps), so the backfill uses a client whose slack_sdk ``RateLimitErrorRetryHandler``
keeps honouring Retry-After for much longer than the interactive client does. It runs as
deferred work after the answer (bot/slack/after_answer.py), never in the 3 s answer.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.services import deferred
from bot.services.backfill import Backfilled, Page, backfill_channel
from bot.services.deferred import Work
from bot.slack.after_answer import new_key, tell, tries, work_kind
from bot.slack.client import build_client
from bot.slack.deps import Deps
from bot.slack.payloads import read_back

log = logging.getLogger(__name__)

PAGE_SIZE = 200
RATE_LIMIT_RETRIES = 60
"""Enough patience for an hour of one-call-a-minute limits before a backfill gives up."""


def patient_client(client: WebClient) -> WebClient:
    """The same token and API URL with a long rate-limit patience, and the same refusal as every
    client of ours to resend a post whose answer was lost."""
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

    def _page(self, method: str, *, channel: str, **params: str | None) -> Page:
        args = {k: v for k, v in {"channel": channel, **params}.items() if v}
        try:
            response = getattr(self.client, method)(limit=self.page_size, inclusive=True, **args)
        except SlackApiError as error:
            if error.response.get("error") != "not_in_channel" or self._joined:
                raise
            self.client.conversations_join(channel=channel)
            self._joined = True
            response = getattr(self.client, method)(limit=self.page_size, inclusive=True, **args)
        messages = [read_back(message) for message in response.get("messages") or []]
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        return Page(messages=messages, next_cursor=cursor)


def backfill_now(deps: Deps, client: WebClient, *, team_id: str, channel_id: str, oldest: datetime) -> Backfilled:
    history = SlackHistory(patient_client(client))
    return backfill_channel(deps.sessions, history, team_id=team_id, channel_id=channel_id, oldest=oldest)


def accept_start_checks(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    oldest: datetime,
    response_url: str | None,
    now: datetime,
) -> None:
    """Owe, in the caller's transaction, the checks and backfill that follow ``/incident start``."""
    deferred.accept(
        session,
        team_id=team_id,
        key=new_key("start"),
        kind="start",
        payload={
            "channel_id": channel_id,
            "user_id": user_id,
            "oldest": oldest.isoformat(),
            "response_url": response_url,
            "received_at": now.isoformat(),
        },
        now=now,
    )


def _start_given_up(work: Work) -> str:
    return (
        f":x: I gave up checking this channel and recording what was said here before `/incident start` "
        f"{tries(work)}: it failed on our side each time. New messages are recorded as usual; type "
        "`/incident start --since 2h` (or however far back) to try the earlier ones again."
    )


@work_kind("start", given_up=_start_given_up)
def check_and_backfill(deps: Deps, client: WebClient, work: Work) -> None:
    """After ``/incident start``: can the bot read the channel (say so plainly when it cannot),
    then record what was said before the command, and tell the starter what it added."""
    p = work.payload
    channel_id = p["channel_id"]
    refusal = _cannot_read(client, channel_id)
    if refusal:
        tell(client, p, refusal)
        return
    oldest = datetime.fromisoformat(p["oldest"])
    done = backfill_now(deps, client, team_id=work.team_id, channel_id=channel_id, oldest=oldest)
    log.info("backfilled %s: %d read, %d new, %d calls", channel_id, done.read, done.added, done.calls)
    if done.added:
        noun = "message" if done.added == 1 else "messages"
        tell(
            client, p, f":inbox_tray: Recorded {done.added} earlier {noun} said here since {oldest:%Y-%m-%d %H:%M} UTC."
        )


def _cannot_read(client: WebClient, channel_id: str) -> str | None:
    """Why the bot cannot read ``channel_id`` (joining it when it is public), or None."""
    invite = (
        "Invite me with `/invite @Incident Scribe`, then run `/incident start "
        "--since 2h` to record what was said meanwhile."
    )
    try:
        channel = client.conversations_info(channel=channel_id).get("channel") or {}
    except SlackApiError as error:
        reason = error.response.get("error")
        if reason in ("channel_not_found", "not_in_channel", "missing_scope"):
            return (
                f":warning: I can't read this channel (Slack said `{reason}`): it is "
                "private and I'm not in it, so nothing said here reaches the record. "
                f"{invite}"
            )
        raise
    if channel.get("is_im") or channel.get("is_mpim"):
        return (
            ":warning: This is a direct message, not a channel: nothing said here "
            "can be recorded. Start the incident in a channel."
        )
    if channel.get("is_archived"):
        return ":warning: This channel is archived: nothing new can be said or recorded here."
    if channel.get("is_member", True):
        return None
    if channel.get("is_private"):
        return f":warning: I'm not a member of this private channel, so nothing said here reaches the record. {invite}"
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        return (
            ":warning: I could not join this channel (Slack said "
            f"`{error.response.get('error')}`), so nothing said here reaches the "
            f"record. {invite}"
        )
    return None
