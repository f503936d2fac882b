"""The queries behind the web pages: one page of a workspace's incidents, one page of an
incident's timeline. Each reads a bounded number of rows through an index, whatever the size
of the record (keyset paging on the timeline, never the whole record)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from bot.core.pages import IncidentFilter
from storage.channel_access import readable_by
from storage.message_store import TIMELINE_COLUMNS
from storage.models import Entry, Incident, KeyMark, Message, OutboxMessage, PhaseMark


def incident_page(
    session: Session, *, team_id: str, user_id: str, where: IncidentFilter, offset: int, limit: int
) -> tuple[list[Incident], int]:
    """Newest first: one page and how many match in all."""
    conditions: list[Any] = [readable_by(team_id, user_id)]
    if where.status == "open":
        conditions.append(Incident.closed_at.is_(None))
    elif where.status == "closed":
        conditions.append(Incident.closed_at.is_not(None))
    elif where.status == "resolved":
        conditions.append(Incident.status == "resolved")
    if where.severity:
        conditions.append(Incident.severity == where.severity)
    if where.service:
        conditions.append(Incident.service == where.service)
    if where.text:
        pattern = "%" + where.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                func.lower(Incident.title).like(pattern, escape="\\"),
                func.lower(Incident.channel_id).like(pattern, escape="\\"),
                func.lower(func.coalesce(Incident.service, "")).like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(Incident).where(*conditions)) or 0
    rows = session.scalars(
        select(Incident)
        .where(*conditions)
        .order_by(Incident.started_at.desc(), Incident.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total)


def readable_incident(session: Session, *, team_id: str, user_id: str, incident_id: int) -> Incident | None:
    """The incident, if it is this workspace's and in a channel this person may read."""
    return session.scalar(select(Incident).where(Incident.id == incident_id, readable_by(team_id, user_id)))


def services_of(session: Session, *, team_id: str, user_id: str) -> list[str]:
    """The services of the incidents this person may read (the list's filter offers no other)."""
    stmt = select(Incident.service).where(readable_by(team_id, user_id), Incident.service.is_not(None)).distinct()
    return sorted(s for s in session.scalars(stmt) if s)


def phase_marks_of(session: Session, incident_ids: Sequence[int]) -> dict[int, dict[str, datetime]]:
    if not incident_ids:
        return {}
    found: dict[int, dict[str, datetime]] = {}
    for incident_id, phase, at in session.execute(
        select(PhaseMark.incident_id, PhaseMark.phase, PhaseMark.at).where(
            PhaseMark.incident_id.in_(incident_ids), PhaseMark.superseded_at.is_(None)
        )
    ):
        found.setdefault(incident_id, {})[phase] = at
    return found


def _is_key(incident: Incident) -> Any:
    pinned = exists().where(
        KeyMark.team_id == incident.team_id, KeyMark.channel_id == incident.channel_id, KeyMark.ts == Message.ts
    )
    return or_(pinned, and_(Message.bot_id.is_not(None), Message.deleted_at.is_(None)))


def top_level_page(
    session: Session,
    incident: Incident,
    *,
    after: tuple[datetime, str] | None,
    limit: int,
    key_only: bool,
    starred: Sequence[str] = (),
) -> list[Any]:
    """Up to ``limit`` messages that start a line of the record (not replies to a message in
    it), from just after ``after``, oldest first. ``key_only``: key events only (pinned or 📌,
    alert-bot posts, and the ``starred`` ts), replies too."""
    stmt = select(*TIMELINE_COLUMNS).where(Message.incident_id == incident.id)
    if key_only:
        stmt = stmt.where(or_(_is_key(incident), Message.ts.in_(starred)) if starred else _is_key(incident))
    else:
        parent = aliased(Message)
        has_parent = exists().where(
            parent.team_id == Message.team_id,
            parent.channel_id == Message.channel_id,
            parent.ts == Message.thread_ts,
            parent.incident_id == Message.incident_id,
        )
        stmt = stmt.where(or_(Message.thread_ts.is_(None), Message.thread_ts == Message.ts, ~has_parent))
    if after is not None:
        stmt = stmt.where(tuple_(Message.posted_at, Message.ts) > tuple_(*after))
    return list(session.execute(stmt.order_by(Message.posted_at, Message.ts).limit(limit)))


def replies_to(
    session: Session, incident: Incident, parents: Sequence[str], *, per_thread: int
) -> dict[str, list[Any]]:
    """The first ``per_thread`` replies of each of these threads, oldest first."""
    if not parents:
        return {}
    stmt = (
        select(*TIMELINE_COLUMNS)
        .where(Message.incident_id == incident.id, Message.thread_ts.in_(parents), Message.thread_ts != Message.ts)
        .order_by(Message.thread_ts, Message.posted_at, Message.ts)
    )
    found: dict[str, list[Any]] = {}
    for row in session.execute(stmt):
        replies = found.setdefault(row.thread_ts, [])
        if len(replies) < per_thread:
            replies.append(row)
    return found


def reply_counts(session: Session, incident: Incident, parents: Sequence[str]) -> dict[str, int]:
    if not parents:
        return {}
    stmt = (
        select(Message.thread_ts, func.count())
        .where(Message.incident_id == incident.id, Message.thread_ts.in_(parents), Message.thread_ts != Message.ts)
        .group_by(Message.thread_ts)
    )
    return {str(thread): int(count) for thread, count in session.execute(stmt)}


def key_ts_among(session: Session, incident: Incident, ts: Sequence[str]) -> set[str]:
    if not ts:
        return set()
    stmt = select(KeyMark.ts).where(
        KeyMark.team_id == incident.team_id, KeyMark.channel_id == incident.channel_id, KeyMark.ts.in_(ts)
    )
    return set(session.scalars(stmt))


def marks_and_notes(session: Session, incident_id: int) -> tuple[list[PhaseMark], list[Entry]]:
    """An incident's current phase markers and its notes: a handful, read whole."""
    marks = session.scalars(
        select(PhaseMark).where(PhaseMark.incident_id == incident_id, PhaseMark.superseded_at.is_(None))
    )
    notes = session.scalars(
        select(Entry).where(Entry.incident_id == incident_id, Entry.kind == "note").order_by(Entry.at, Entry.id)
    )
    return list(marks), list(notes)


def message_count(session: Session, incident_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Message).where(Message.incident_id == incident_id)) or 0


def draft_versions(session: Session, incident: Incident) -> list[tuple[int, datetime]]:
    """The numbers of the draft versions whose Markdown was queued, with when, oldest first."""
    prefix = f"draft:{incident.id}:v"
    rows = session.execute(
        select(OutboxMessage.key, OutboxMessage.created_at).where(
            OutboxMessage.team_id == incident.team_id, OutboxMessage.key.like(prefix + "%:file")
        )
    )
    found = [(key[len(prefix) : -len(":file")], at) for key, at in rows]
    return sorted((int(number), at) for number, at in found if number.isdigit())


def draft_file(session: Session, incident: Incident, version: int) -> dict[str, Any] | None:
    """What was queued for one draft version's file: ``content`` (the Markdown as posted) and
    ``chart`` (the Mermaid chart the bot drew, when it drew one)."""
    payload = session.scalar(
        select(OutboxMessage.payload).where(
            OutboxMessage.team_id == incident.team_id, OutboxMessage.key == f"draft:{incident.id}:v{version}:file"
        )
    )
    return payload if isinstance(payload, dict) else None


def draft_markdown(session: Session, incident: Incident, version: int) -> str | None:
    """The Markdown of one draft version as it was posted (the outbox keeps what it sent)."""
    payload = draft_file(session, incident, version)
    return None if payload is None else str(payload.get("content") or "")


def alert_page(session: Session, incident: Incident, *, after: tuple[datetime, str] | None, limit: int) -> list[Any]:
    """Alert-bot posts (the record's bot messages), oldest first, from just after ``after``."""
    stmt = select(*TIMELINE_COLUMNS).where(Message.incident_id == incident.id, Message.bot_id.is_not(None))
    if after is not None:
        stmt = stmt.where(tuple_(Message.posted_at, Message.ts) > tuple_(*after))
    return list(session.execute(stmt.order_by(Message.posted_at, Message.ts).limit(limit)))


def readable_incident_keys(session: Session, *, team_id: str, user_id: str) -> set[int]:
    return set(session.scalars(select(Incident.id).where(readable_by(team_id, user_id))))
