"""Store messages read back from Slack (backfill pages, export day files) next to live ones.

The storage unique key (workspace, channel, ts) decides: a message already captured live is not
stored twice, an edit wins only over an older state, a deletion is never undone.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from bot.core.message_changes import MessageChange, MessageDeletion, MessagePost
from bot.core.slackts import ts_to_datetime
from storage import message_store as message_repo

BULK_ROWS = 1000
"""Rows per INSERT: PostgreSQL takes at most 65,535 bound parameters in one statement."""


def latest_states(changes: Iterable[MessageChange]) -> list[MessagePost | MessageDeletion]:
    """One state per ts: a deletion wins, else the latest edit; order of first appearance."""
    states: dict[str, MessagePost | MessageDeletion] = {}
    for change in changes:
        if not isinstance(change, (MessagePost, MessageDeletion)):
            continue
        held = states.get(change.ts)
        if (
            held is None
            or isinstance(change, MessageDeletion)
            or (
                isinstance(held, MessagePost)
                and isinstance(change, MessagePost)
                and (change.edited_at or change.posted_at) > (held.edited_at or held.posted_at)
            )
        ):
            states[change.ts] = change
    return list(states.values())


def store_changes(
    session: Session,
    changes: Iterable[MessageChange],
    *,
    incident_id: int,
    team_id: str,
    channel_id: str,
    source: str,
) -> int:
    """Store posts, edits and deletions; returns how many messages were new to the record."""
    states = latest_states(changes)
    known: set[str] = set()
    for start in range(0, len(states), BULK_ROWS):
        batch = [state.ts for state in states[start : start + BULK_ROWS]]
        known |= message_repo.known_ts(session, team_id=team_id, channel_id=channel_id, ts=batch)
    plain: list[MessagePost] = []
    for state in states:
        if isinstance(state, MessageDeletion):
            message_repo.save_deletion(
                session,
                state,
                posted_at=ts_to_datetime(state.ts),
                incident_id=incident_id,
                team_id=team_id,
                channel_id=channel_id,
            )
        elif state.edited_at is not None:
            message_repo.save_post(
                session, state, incident_id=incident_id, team_id=team_id, channel_id=channel_id, source=source
            )
        else:
            plain.append(state)
    for start in range(0, len(plain), BULK_ROWS):
        message_repo.save_posts(
            session,
            plain[start : start + BULK_ROWS],
            incident_id=incident_id,
            team_id=team_id,
            channel_id=channel_id,
            source=source,
        )
    return sum(1 for state in states if state.ts not in known)
