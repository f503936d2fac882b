"""Translate Slack payloads into the plain values the use cases take. Nothing else."""

from __future__ import annotations

from typing import Any

from bot.core.messages import MessageChange, MessageDeletion, MessagePost, NotRecorded, SharedFile
from bot.core.slackts import is_ts, ts_to_datetime

# Subtypes that carry what people said (or what an alert bot posted).
RECORDED_SUBTYPES = frozenset(
    {None, "thread_broadcast", "file_share", "bot_message", "me_message", "reply_broadcast"}
)
# Housekeeping that is not timeline material.
NOT_TIMELINE = frozenset(
    {
        "channel_join",
        "channel_leave",
        "group_join",
        "group_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "group_topic",
        "group_purpose",
        "group_name",
        "channel_archive",
        "channel_unarchive",
        "group_archive",
        "group_unarchive",
        "pinned_item",
        "unpinned_item",
        "message_replied",
        "ekm_access_denied",
        "channel_posting_permissions",
        "bot_add",
        "bot_remove",
    }
)


def _files(message: dict[str, Any]) -> tuple[SharedFile, ...]:
    shared = []
    for file in message.get("files") or ():
        if not isinstance(file, dict):
            continue
        name = file.get("name") or file.get("title") or file.get("id") or "file"
        shared.append(SharedFile(name=str(name), url=file.get("permalink") or file.get("url_private")))
    return tuple(shared)


def _post(message: dict[str, Any], *, edited: bool) -> MessagePost | NotRecorded:
    ts = message.get("ts")
    if not is_ts(ts):
        return NotRecorded("message without a ts")
    bot_profile = message.get("bot_profile") or {}
    edited_info = message.get("edited") or {}
    edited_ts = edited_info.get("ts")
    thread_ts = message.get("thread_ts")
    return MessagePost(
        ts=ts,
        posted_at=ts_to_datetime(ts),
        text=message.get("text") or "",
        user=message.get("user"),
        bot_id=message.get("bot_id"),
        bot_name=message.get("username") or bot_profile.get("name"),
        subtype=message.get("subtype"),
        thread_ts=thread_ts if is_ts(thread_ts) else None,
        files=_files(message),
        edited_at=ts_to_datetime(edited_ts) if edited and is_ts(edited_ts) else None,
    )


def parse_message_event(event: dict[str, Any]) -> MessageChange:
    """What a ``message`` event means: a post (maybe edited), a deletion, or nothing to record."""
    subtype = event.get("subtype")
    if subtype == "message_changed":
        message = dict(event.get("message") or {})
        previous = event.get("previous_message") or {}
        # Some deliveries carry the message's ts and thread only in previous_message.
        for key in ("ts", "thread_ts", "user", "bot_id"):
            if key not in message and key in previous:
                message[key] = previous[key]
        if message.get("subtype") in NOT_TIMELINE:
            return NotRecorded(f"edit of {message.get('subtype')}")
        # A link unfurl also arrives as message_changed, without `edited`: not an edit.
        return _post(message, edited=bool(message.get("edited")))
    if subtype == "message_deleted":
        deleted_ts = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
        if not is_ts(deleted_ts):
            return NotRecorded("deletion without deleted_ts")
        event_ts = event.get("event_ts") or event.get("ts")
        deleted_at = ts_to_datetime(event_ts) if is_ts(event_ts) else ts_to_datetime(deleted_ts)
        return MessageDeletion(ts=deleted_ts, deleted_at=deleted_at)
    if subtype in NOT_TIMELINE:
        return NotRecorded(subtype)
    if subtype not in RECORDED_SUBTYPES and not event.get("text") and not event.get("files"):
        return NotRecorded(f"subtype {subtype}")
    return _post(event, edited=False)


def team_of(body: dict[str, Any], context: dict[str, Any]) -> str:
    """The workspace the event belongs to (the installing one, also for Slack Connect)."""
    team = context.get("team_id") or body.get("team_id") or context.get("enterprise_id")
    if not team:
        team = (body.get("team") or {}).get("id") or ""
    return str(team)
