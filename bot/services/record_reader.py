"""Read an incident's whole record out of storage as plain values for the core."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.alert_phases import alert_entries, combine_phases, phase_entries
from bot.core.curation import curate, message_entry_id, note_entry_id, phase_entry_id
from bot.core.record import PHASES, IncidentRecord, PhaseTimes, StatusUpdateView, TimelineEntry, TypedMark
from bot.core.roles import current_holders
from bot.core.timeline import merge_timeline, permalink
from bot.core.updates import UpdateFields
from bot.core.web_address import web_address
from storage import actions as action_repo
from storage import alert_links as alert_repo
from storage import curation as curation_repo
from storage import incidents as repo
from storage import message_store as message_repo
from storage import running as running_repo
from storage.models import Incident, Message

ENTRY_KINDS_IN_TIMELINE = ("note",)


def _message_entries(session: Session, incident: Incident, base_url: str | None) -> Iterator[TimelineEntry]:
    keys = message_repo.key_ts(session, team_id=incident.team_id, channel_id=incident.channel_id)
    stmt = (
        select(*message_repo.TIMELINE_COLUMNS)
        .where(Message.incident_id == incident.id)
        .order_by(Message.posted_at, Message.ts)
        .execution_options(yield_per=5000)
    )
    channel = incident.channel_id
    for posted_at, ts, thread_ts, user, bot_id, bot_name, text, files, edited_at, deleted_at in session.execute(stmt):
        yield TimelineEntry(
            at=posted_at,
            kind="message",
            text=text,
            user=user,
            bot=(bot_name or bot_id) if bot_id is not None else None,
            ts=ts,
            thread_ts=thread_ts,
            edited_at=edited_at,
            deleted=deleted_at is not None,
            key=ts in keys or (bot_id is not None and deleted_at is None),
            files=tuple(_file_label(f) for f in files or ()),
            permalink=permalink(base_url, channel, ts, thread_ts),
            entry_id=message_entry_id(ts),
        )


def _file_label(file: dict[str, str | None]) -> str:
    """A shared file as the Markdown draft lists it: its name, and its link when that is a plain
    web address (a ``>`` or a space in it would end the Markdown link early)."""
    name, url = file.get("name") or "file", web_address(file.get("url"))
    return f"{name} <{url}>" if url else name


def load_record(session: Session, incident: Incident) -> IncidentRecord:
    base_url = repo.workspace_url(session, incident.team_id)
    current = repo.current_phase_marks(session, incident.id)
    entries = repo.entries_for(session, incident.id)
    others = [
        TimelineEntry(
            at=mark.at,
            kind=mark.phase,
            text=mark.note,
            user=mark.user_id,
            key=True,
            entry_id=phase_entry_id(mark.phase),
        )
        for mark in current.values()
    ]
    others += [
        TimelineEntry(
            at=entry.at,
            kind=entry.kind,
            text=entry.text,
            user=entry.user_id,
            key=True,
            entry_id=note_entry_id(entry.id),
        )
        for entry in entries
        if entry.kind in ENTRY_KINDS_IN_TIMELINE
    ]
    phases = PhaseTimes(**{phase: current[phase].at if phase in current else None for phase in PHASES})
    events = alert_repo.linked_events(session, incident)
    combined = None
    if events:
        combined = combine_phases({phase: TypedMark(mark.at, mark.user_id) for phase, mark in current.items()}, events)
        phases = combined.phases
        others += alert_entries(events) + phase_entries(combined)
    by_kind: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        by_kind[entry.kind] = (*by_kind.get(entry.kind, ()), entry.text)
    timeline = tuple(merge_timeline(_message_entries(session, incident, base_url), others))
    return IncidentRecord(
        channel=incident.channel_id,
        title=incident.title,
        severity=incident.severity,
        status=incident.status,
        phases=phases,
        timeline=timeline,
        action_items=action_repo.item_views(session, incident.id),
        service=incident.service,
        started_by=incident.started_by,
        started_at=incident.started_at,
        impact=by_kind.get("impact", ()),
        causes=by_kind.get("cause", ()),
        factors=by_kind.get("factor", ()),
        went_well=by_kind.get("went_well", ()),
        went_poorly=by_kind.get("went_poorly", ()),
        surprised="surprised" in by_kind,
        alerts=tuple(events),
        alert_phases=combined,
        curation=curate(curation_repo.changes_for(session, incident.id)),
        roles={
            holder.role: holder.user_id
            for holder in current_holders(
                running_repo.current_roles(session, incident.id), started_by=incident.started_by
            )
        },
        updates=tuple(
            StatusUpdateView(
                row.at,
                row.user_id,
                UpdateFields(row.status, row.impact, row.next_steps, row.next_update_minutes).as_text(),
            )
            for row in running_repo.updates_of(session, incident.id)
        ),
    )
