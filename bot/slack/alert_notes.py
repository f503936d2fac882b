"""A recorded message that points at a PagerDuty incident or an Opsgenie alert links it to the
channel's incident, and one short note says so.

The note goes through the outbox, written in the link's own transaction: the message event is
answered without any Web API call, and the outbox key (one per link) makes it said once, however
often the message is redelivered, edited, or the same link posted again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from bot.core.alert_events import AlertKey
from bot.core.alert_links import describe_key, keys_in_text
from bot.core.message_changes import MessageChange, MessagePost
from bot.services import alert_links, outbox
from bot.slack.deps import Deps
from bot.slack.safe_text import safe_mrkdwn


def link_alerts_in_message(deps: Deps, *, team_id: str, channel_id: str, change: MessageChange) -> int:
    """How many links the message made. Messages without a paging-tool link cost one scan of their text."""
    if not isinstance(change, MessagePost) or not keys_in_text(change.text):
        return 0
    now: datetime = deps.clock()
    with deps.sessions.begin() as session:
        incident_id, linked = alert_links.link_from_message(
            session, team_id=team_id, channel_id=channel_id, text=change.text, user_id=change.user, now=now
        )
        for key in linked:
            outbox.enqueue(
                session,
                team_id=team_id,
                key=link_note_key(incident_id, key),
                kind="message",
                channel=channel_id,
                payload={"text": note_text(describe_key(key))},
                now=now,
            )
    return len(linked)


def link_note_key(incident_id: int | None, key: AlertKey) -> str:
    """The outbox key of the note for one link: the value by its digest, so two long values that
    share their first hundreds of characters still get a note each (the key column is bounded)."""
    digest = hashlib.sha256(key.value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"alert-link:{incident_id}:{key.source}:{key.kind}:{digest}"


def note_text(described: str) -> str:
    return (
        f":link: Linked {safe_mrkdwn(described)} to this incident (it was posted here): its events now write "
        "the timeline. `/incident links` lists the links; `/incident unlink N` removes one."
    )
