"""What the web pages show, read through storage as plain values. Every read is scoped to the
signed-in person's workspace and to the channels they may read (bot/services/channel_access.py);
an incident they may not read is indistinguishable from one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.core.alert_events import SOURCE_LABELS
from bot.core.alert_phases import alert_entry_text
from bot.core.curation import Change, EntryCuration, message_entry_id, note_entry_id, phase_entry_id
from bot.core.durations import PhaseDurations, measure_phases
from bot.core.pages import IncidentFilter
from bot.core.record import PHASES, ActionItemView, PhaseTimes, StatusUpdateView, TimelineEntry
from bot.core.roles import Holder
from bot.core.timeline import permalink
from bot.services import curation, status_updates
from bot.services.roles import holders_of
from storage import actions as action_repo
from storage import alert_links as alert_repo
from storage import incidents as incident_repo
from storage import page_queries as q
from storage.models import Incident

INCIDENTS_PER_PAGE = 50
LINES_PER_PAGE = 100
REPLIES_SHOWN = 50
VIEWS = ("key", "alerts", "all")


class NotFound(LookupError):
    """No such incident in this workspace that this person may read."""


class BadRequest(ValueError):
    """Input the page cannot use; the message says what was wrong, for the person who sent it."""


@dataclass(frozen=True)
class IncidentRow:
    id: int
    channel: str
    title: str
    severity: str | None
    status: str
    """``active``, ``resolved`` or ``closed``."""
    service: str | None
    started_at: datetime
    phases: PhaseTimes
    durations: PhaseDurations


@dataclass(frozen=True)
class IncidentList:
    rows: list[IncidentRow]
    total: int
    page: int
    pages: int
    services: list[str]


def _status(incident: Incident) -> str:
    return "closed" if incident.closed_at is not None else incident.status


def _phases(marks: dict[str, datetime]) -> PhaseTimes:
    return PhaseTimes(**{phase: marks.get(phase) for phase in PHASES})


def list_incidents(session: Session, *, team_id: str, user_id: str, where: IncidentFilter, page: int) -> IncidentList:
    page = max(1, page)
    found, total = q.incident_page(
        session,
        team_id=team_id,
        user_id=user_id,
        where=where,
        offset=(page - 1) * INCIDENTS_PER_PAGE,
        limit=INCIDENTS_PER_PAGE,
    )
    marks = q.phase_marks_of(session, [i.id for i in found])
    rows = []
    for incident in found:
        phases = _phases(marks.get(incident.id, {}))
        rows.append(
            IncidentRow(
                id=incident.id,
                channel=incident.channel_id,
                title=incident.title,
                severity=incident.severity,
                status=_status(incident),
                service=incident.service,
                started_at=incident.started_at,
                phases=phases,
                durations=measure_phases(phases),
            )
        )
    pages = max(1, -(-total // INCIDENTS_PER_PAGE))
    return IncidentList(rows, total, page, pages, q.services_of(session, team_id=team_id, user_id=user_id))


@dataclass(frozen=True)
class Line:
    """One line of the timeline as the page shows it: an entry and, for a thread's parent,
    its replies (the first ``REPLIES_SHOWN``) and how many there are in all."""

    entry: TimelineEntry
    replies: tuple[Reply, ...] = ()
    reply_count: int = 0
    entry_id: str | None = None
    """The entry's id for curation (``msg:TS``, ``note:ID``, ``phase:NAME``)."""
    curation: EntryCuration | None = None
    """What curating made of it; None when nobody did."""


@dataclass(frozen=True)
class Reply:
    entry: TimelineEntry
    entry_id: str
    curation: EntryCuration | None = None


@dataclass(frozen=True)
class TimelinePage:
    view: str
    lines: list[Line]
    next_cursor: str | None
    message_count: int


@dataclass(frozen=True)
class AlertLine:
    """One event of a linked alert as the page shows it: at the source's own time, linked back."""

    at: datetime
    source: str
    text: str
    link: str | None


@dataclass(frozen=True)
class IncidentPage:
    incident: IncidentRow
    workspace_url: str | None
    timeline: TimelinePage
    action_items: tuple[ActionItemView, ...]
    drafts: list[tuple[int, datetime]]
    changes: list[Change]
    """The curation change log, oldest first."""
    alerts: tuple[AlertLine, ...] = ()
    """On the alerts view: the events of the alerts linked to the incident, oldest first."""
    extra: dict[str, Any] = field(default_factory=dict)
    roles: tuple[Holder, ...] = ()
    updates: tuple[StatusUpdateView, ...] = ()
    """The status updates posted, newest first."""


def readable(session: Session, *, team_id: str, user_id: str, incident_id: int) -> Incident:
    incident = q.readable_incident(session, team_id=team_id, user_id=user_id, incident_id=incident_id)
    if incident is None:
        raise NotFound(incident_id)
    return incident


def parse_cursor(text: str | None) -> tuple[datetime, str] | None:
    """``after`` in a page's address: the time and ts of the last line already shown."""
    if not text:
        return None
    at, sep, ts = text.partition("~")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        moment = None
    if not sep or moment is None or moment.tzinfo is None or not ts.replace(".", "").isdigit():
        raise BadRequest("That link to a later page of the timeline is damaged; start again from the first page.")
    return moment, ts


def _cursor(at: datetime, ts: str) -> str:
    return f"{at.isoformat()}~{ts}"


def incident_page(
    session: Session, *, team_id: str, user_id: str, incident_id: int, view: str, after: str | None
) -> IncidentPage:
    if view not in VIEWS:
        raise BadRequest(f"There is no timeline view {view!r}: choose key events, alerts or every message.")
    incident = readable(session, team_id=team_id, user_id=user_id, incident_id=incident_id)
    base_url = incident_repo.workspace_url(session, team_id)
    row = incident_row(incident, current_phases(session, incident))
    timeline = timeline_page(session, incident, base_url=base_url, view=view, after=parse_cursor(after))
    return IncidentPage(
        incident=row,
        workspace_url=base_url,
        timeline=timeline,
        action_items=action_repo.item_views(session, incident.id),
        drafts=q.draft_versions(session, incident),
        changes=curation.change_log(session, incident.id),
        alerts=alert_lines(session, incident) if view == "alerts" else (),
        roles=tuple(holders_of(session, incident)),
        updates=status_updates.update_views(session, incident.id),
    )


MAX_ALERT_LINES = 500
"""A paging tool sends tens of events per incident; past this many, the newest are left out."""


def alert_lines(session: Session, incident: Incident) -> tuple[AlertLine, ...]:
    events = alert_repo.linked_events(session, incident)[:MAX_ALERT_LINES]
    return tuple(
        AlertLine(event.at, SOURCE_LABELS[event.source], alert_entry_text(event), event.link) for event in events
    )


def _entry(row: Any, incident: Incident, base_url: str | None, keys: set[str]) -> TimelineEntry:
    return TimelineEntry(
        at=row.posted_at,
        kind="message",
        text=row.text,
        user=row.user_id,
        bot=(row.bot_name or row.bot_id) if row.bot_id is not None else None,
        ts=row.ts,
        thread_ts=row.thread_ts,
        edited_at=row.edited_at,
        deleted=row.deleted_at is not None,
        key=row.ts in keys or (row.bot_id is not None and row.deleted_at is None),
        files=tuple((f.get("name") or "file") for f in row.files or ()),
        permalink=permalink(base_url, incident.channel_id, row.ts, row.thread_ts),
    )


def timeline_page(
    session: Session, incident: Incident, *, base_url: str | None, view: str, after: tuple[datetime, str] | None
) -> TimelinePage:
    """One page: ``LINES_PER_PAGE`` messages from just after ``after`` (threads kept together
    under their parent), with the phase markers and notes that fall among them."""
    curated = curation.curation_for(session, incident.id)
    if view == "alerts":
        rows = q.alert_page(session, incident, after=after, limit=LINES_PER_PAGE + 1)
    else:
        starred = [e.removeprefix("msg:") for e, c in curated.items() if c.starred and e.startswith("msg:")]
        rows = q.top_level_page(
            session, incident, after=after, limit=LINES_PER_PAGE + 1, key_only=view == "key", starred=starred
        )
    more = len(rows) > LINES_PER_PAGE
    rows = rows[:LINES_PER_PAGE]
    keys = q.key_ts_among(session, incident, [r.ts for r in rows])
    threaded = view == "all"
    parents = [r.ts for r in rows if threaded and (r.thread_ts is None or r.thread_ts == r.ts)]
    replies = q.replies_to(session, incident, parents, per_thread=REPLIES_SHOWN) if parents else {}
    counts = q.reply_counts(session, incident, [p for p in parents if p in replies])
    reply_keys = q.key_ts_among(session, incident, [r.ts for rs in replies.values() for r in rs])
    lines = [
        Line(
            _entry(row, incident, base_url, keys),
            tuple(
                Reply(
                    _entry(r, incident, base_url, reply_keys),
                    message_entry_id(r.ts),
                    curated.get(message_entry_id(r.ts)),
                )
                for r in replies.get(row.ts, ())
            ),
            counts.get(row.ts, 0),
            message_entry_id(row.ts),
            curated.get(message_entry_id(row.ts)),
        )
        for row in rows
    ]
    if view != "alerts":
        lines = _with_marks_and_notes(
            session, incident, lines, curated, after=after, until=rows[-1].posted_at if more else None
        )
    cursor = _cursor(rows[-1].posted_at, rows[-1].ts) if more and rows else None
    return TimelinePage(view, lines, cursor, q.message_count(session, incident.id))


def _with_marks_and_notes(
    session: Session,
    incident: Incident,
    lines: list[Line],
    curated: dict[str, EntryCuration],
    *,
    after: tuple[datetime, str] | None,
    until: datetime | None,
) -> list[Line]:
    marks, notes = q.marks_and_notes(session, incident.id)
    others = [
        (TimelineEntry(at=m.at, kind=m.phase, text=m.note, user=m.user_id, key=True), phase_entry_id(m.phase))
        for m in marks
    ]
    others += [
        (TimelineEntry(at=n.at, kind="note", text=n.text, user=n.user_id, key=True), note_entry_id(n.id)) for n in notes
    ]
    inside = [
        Line(e, entry_id=entry_id, curation=curated.get(entry_id))
        for e, entry_id in others
        if (after is None or e.at > after[0]) and (until is None or e.at <= until)
    ]
    return sorted(lines + inside, key=lambda line: (line.entry.at, line.entry.kind != "message", line.entry.ts or ""))


def incident_row(incident: Incident, phases: PhaseTimes) -> IncidentRow:
    return IncidentRow(
        incident.id,
        incident.channel_id,
        incident.title,
        incident.severity,
        _status(incident),
        incident.service,
        incident.started_at,
        phases,
        measure_phases(phases),
    )


def current_phases(session: Session, incident: Incident) -> PhaseTimes:
    return _phases({p: m.at for p, m in incident_repo.current_phase_marks(session, incident.id).items()})
