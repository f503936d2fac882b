"""Deliver outbox items with the Web API. Every message carries its outbox key in metadata so
a crash between sending and recording can be checked against Slack instead of resent blind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.slackts import datetime_to_ts
from bot.services import outbox
from bot.services.outbox import UNKNOWN, DeliveryError, OutboxItem
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
            code = str(error.response.get("error", "")) if error.response is not None else ""
            raise DeliveryError(f"{item.kind} to {item.channel}: {code or error}", retryable=code not in PERMANENT_ERRORS) from None
        except (SlackClientError, OSError) as error:
            raise DeliveryError(f"{item.kind} to {item.channel}: {error!r}", retryable=True) from None

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

    def find_delivered(self, item: OutboxItem) -> dict[str, Any] | None | object:
        if item.kind == "file":
            return UNKNOWN
        try:
            channel = self._channel(item)
            history = self.client.conversations_history(
                channel=channel, oldest=datetime_to_ts(item.created_at - timedelta(seconds=5)), include_all_metadata=True, limit=200
            )
        except SlackApiError:
            return UNKNOWN
        for message in history.get("messages") or ():
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT and (metadata.get("event_payload") or {}).get("key") == item.key:
                return {"channel": channel, "ts": message.get("ts")}
        return None


def deliver_owed_posts(deps: Deps, client: WebClient, team_id: str) -> None:
    """Right after an answer: send what it put in the outbox for this workspace. ``client`` is
    the request's own, holding the workspace's token; the clock retries what fails."""
    outbox.deliver_due(deps.sessions, lambda _team: SlackSender(client), now=deps.clock(), team_id=team_id)
