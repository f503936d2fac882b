"""Slack payloads translated into the plain values the use cases take. Nothing else.

A message means the same for the record whichever way it reached us.
Live capture sees events (``message_changed``, ``message_deleted``…); backfill and imports see
messages as they stand (``conversations.history`` pages, export day files), where an edit is an
``edited`` field. A thread parent deleted while it has replies is a ``tombstone`` in both: live,
a ``message_changed`` whose new message is the tombstone. Both end in the same values, and a
tombstone is a deletion either way.
"""

from __future__ import annotations

from typing import Any

from bot.core.backfill import ReadBack
from bot.core.message_changes import MessageChange, MessageDeletion, MessagePost, NotRecorded, SharedFile
from bot.core.slackts import is_ts, ts_to_datetime

# Subtypes that carry what people said (or what an alert bot posted).
RECORDED_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "bot_message", "me_message", "reply_broadcast"})
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
TOMBSTONE = "tombstone"
"""A deleted thread parent that has replies, as Slack shows it live (the new message of a
``message_changed``), in history and in exports: its text is "This message was deleted."."""


def _files(message: dict[str, Any]) -> tuple[SharedFile, ...]:
    found = list(message.get("files") or ())
    if isinstance(message.get("file"), dict):  # older exports: one file, singular
        found.append(message["file"])
    shared = []
    for file in found:
        if not isinstance(file, dict):
            continue
        name = file.get("name") or file.get("title") or file.get("id") or "file"
        shared.append(SharedFile(name=str(name), url=file.get("permalink") or file.get("url_private")))
    return tuple(shared)


def _text(message: dict[str, Any]) -> str:
    """The message text; an alert bot that posts only attachments is read from their fallback."""
    text = message.get("text") or ""
    if text:
        return str(text)
    parts = []
    for attachment in message.get("attachments") or ():
        if isinstance(attachment, dict):
            part = attachment.get("fallback") or attachment.get("pretext") or attachment.get("text") or ""
            if part:
                parts.append(str(part))
    return "\n".join(parts)


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
        text=_text(message),
        user=message.get("user"),
        bot_id=message.get("bot_id"),
        bot_name=message.get("username") or bot_profile.get("name"),
        subtype=message.get("subtype"),
        thread_ts=thread_ts if is_ts(thread_ts) else None,
        files=_files(message),
        edited_at=ts_to_datetime(edited_ts) if edited and is_ts(edited_ts) else None,
    )


def _deletion(ts: Any, when: Any) -> MessageDeletion | NotRecorded:
    """The message ``ts`` deleted at the event's ``when`` (its own ts when the event has none)."""
    if not is_ts(ts):
        return NotRecorded("deletion without the ts of the deleted message")
    return MessageDeletion(ts=ts, deleted_at=ts_to_datetime(when if is_ts(when) else ts))


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
        if message.get("subtype") == TOMBSTONE:
            # A thread parent deleted while its replies stay: a deletion, not an edit.
            return _deletion(message.get("ts"), event.get("event_ts") or event.get("ts"))
        # A link unfurl also arrives as message_changed, without `edited`: not an edit.
        return _post(message, edited=bool(message.get("edited")))
    if subtype == "message_deleted":
        deleted_ts = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
        return _deletion(deleted_ts, event.get("event_ts") or event.get("ts"))
    if subtype in NOT_TIMELINE:
        return NotRecorded(subtype)
    if subtype not in RECORDED_SUBTYPES and not event.get("text") and not event.get("files"):
        return NotRecorded(f"subtype {subtype}")
    return _post(event, edited=False)


def parse_stored_message(message: dict[str, Any]) -> MessageChange:
    """What a message read back from Slack means (a history page, an export day file).

    The same rules as live capture, plus the two shapes only stored messages have: an ``edited``
    field is the edit (its ts is when), and a ``tombstone`` is a deletion. Slack does not say
    when a tombstoned message was deleted; the edit time is used when present, else its ts.
    """
    if message.get("subtype") == TOMBSTONE:
        return _deletion(message.get("ts"), (message.get("edited") or {}).get("ts"))
    change = parse_message_event(message)
    if isinstance(change, MessagePost) and change.edited_at is None and message.get("edited"):
        return _post(message, edited=True)
    return change


def read_back(message: dict[str, Any]) -> ReadBack:
    """A message of a ``conversations.history`` or ``.replies`` page: what it means for the
    record, and whether it is the parent of a thread with replies to read."""
    ts, latest = message.get("ts"), message.get("latest_reply")
    has_replies = bool(message.get("reply_count")) or (message.get("thread_ts") == ts and bool(latest))
    return ReadBack(
        ts=str(ts) if is_ts(ts) else None,
        change=parse_stored_message(message),
        has_replies=has_replies,
        latest_reply=str(latest) if is_ts(latest) else None,
    )


def team_of(body: dict[str, Any], context: dict[str, Any]) -> str:
    """The workspace the event belongs to (the installing one, also for Slack Connect)."""
    team = context.get("team_id") or body.get("team_id") or context.get("enterprise_id")
    if not team:
        team = (body.get("team") or {}).get("id") or ""
    return str(team)
