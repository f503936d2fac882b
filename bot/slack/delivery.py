"""Deliver outbox items with the Web API. Every message carries its outbox key in metadata so
a crash between sending and recording, or an answer lost after the post was made, can be
checked against Slack instead of resent blind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.slackts import datetime_to_ts
from bot.services import outbox
from bot.services.outbox import UNKNOWN, DeliveryError, OutboxItem
from bot.slack.client import method_of, resending_is_unsafe
from bot.slack.deps import Deps
from bot.slack.safe_text import safe_mrkdwn, safe_plain_text

METADATA_EVENT = "scribe_outbox"
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "no_permission",
        "user_not_found",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "missing_scope",
        "restricted_action",
    }
)


UNFINISHED_ERRORS = frozenset({"internal_error", "fatal_error", "request_timeout", "service_unavailable"})
"""Errors in an answer that say Slack stopped partway: the post may have been made."""
LOOKUP_PAGE_SIZE = 200
LOOKUP_MAX_PAGES = 10
"""A lookup reads at most this many pages of history; past them it cannot tell."""
LOOKUP_MARGIN = timedelta(minutes=1)
"""How much earlier than the row's creation the lookup starts: the clocks of this host and of
Slack (which dates the message) may disagree a little."""


def may_have_landed(error: Exception) -> bool:
    """Whether Slack may have made the post although the call failed: a 5xx or an unfinished
    error from a method that posts, or a connection lost after the request went out."""
    if isinstance(error, SlackApiError):
        response = error.response
        if response is None or not resending_is_unsafe(method_of(response.api_url or "")):
            return False  # conversations.open or files.getUploadURLExternal: nothing posted yet
        return response.status_code >= 500 or response.get("error") in UNFINISHED_ERRORS
    if isinstance(error, SlackClientError):
        return False  # refused before any request was made
    # A URLError was never sent whole; or it is an HTTPError, which the client turns into an
    # answer, so one that gets here is from a file's upload step, before anything is shared.
    # Anything else: the connection was lost after the request went out.
    return not isinstance(error, URLError)


class SlackSender:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def send(self, item: OutboxItem) -> dict[str, Any]:
        try:
            if item.kind == "file":
                return self._upload(item)
            channel = self._channel(item)
            payload = dict(item.payload)
            payload.pop("user", None)
            response = self.client.chat_postMessage(
                channel=channel,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": item.key}},
                **payload,
            )
            return {"channel": response.get("channel"), "ts": response.get("ts")}
        except SlackApiError as error:
            code = _error_code(error)
            raise DeliveryError(
                f"{item.kind} to {item.channel}: {code or error}",
                retryable=code not in PERMANENT_ERRORS,
                may_have_landed=may_have_landed(error),
            ) from None
        except (SlackClientError, OSError) as error:
            raise DeliveryError(
                f"{item.kind} to {item.channel}: {error!r}", retryable=True, may_have_landed=may_have_landed(error)
            ) from None

    def _channel(self, item: OutboxItem) -> str:
        if item.kind != "dm":
            return item.channel
        opened = self.client.conversations_open(users=item.channel)
        return str(opened["channel"]["id"])

    def _upload(self, item: OutboxItem) -> dict[str, Any]:
        payload = item.payload
        response = self.client.files_upload_v2(
            channel=item.channel,
            content=payload["content"],
            filename=payload.get("filename", "postmortem.md"),
            title=safe_plain_text(payload.get("title")) or None,
            initial_comment=safe_mrkdwn(payload.get("initial_comment")) or None,
        )
        file = response.get("file") or {}
        return {"file": file.get("id")}

    def can_look_up(self, item: OutboxItem) -> bool:
        return item.kind != "file"  # an upload carries no message metadata

    def find_delivered(self, item: OutboxItem) -> dict[str, Any] | object | None:
        """Page through the channel's history since the row was created, newest first, for a
        message that carries the item's key. A channel the bot may not read (no ``im:history``
        for a DM, no longer a member) cannot tell; a failing call raises, to look again later."""
        if not self.can_look_up(item):
            return UNKNOWN
        oldest = datetime_to_ts(item.created_at - LOOKUP_MARGIN)
        try:
            channel = self._channel(item)
            cursor: str | None = None
            for _ in range(LOOKUP_MAX_PAGES):
                page = self.client.conversations_history(
                    channel=channel,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=LOOKUP_PAGE_SIZE,
                    cursor=cursor,  # None is left out of the request
                )
                for message in page.get("messages") or ():
                    metadata = message.get("metadata") or {}
                    if (
                        metadata.get("event_type") == METADATA_EVENT
                        and (metadata.get("event_payload") or {}).get("key") == item.key
                    ):
                        return {"channel": channel, "ts": message.get("ts")}
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not page.get("has_more") or not cursor:
                    return None
        except SlackApiError as error:
            if _error_code(error) in PERMANENT_ERRORS:
                return UNKNOWN
            raise
        return UNKNOWN  # more history since then than a lookup reads


def _error_code(error: SlackApiError) -> str:
    return str(error.response.get("error", "")) if error.response is not None else ""


def deliver_owed_posts(deps: Deps, client: WebClient, team_id: str) -> None:
    """Right after an answer: send what it put in the outbox for this workspace. ``client`` is
    the request's own, holding this workspace's token, so only this workspace's rows are
    touched (stuck ones of the others are the clock's); the clock retries what fails."""
    outbox.deliver_due(deps.sessions, lambda _team: SlackSender(client), clock=deps.clock, team_id=team_id)
