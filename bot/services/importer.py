"""Import an incident from a Slack export: the full record, as if the app had been there.

Messages go through the same rules as live capture (the Slack adapter's ``parse_stored_message``,
handed in by the caller); names and zones
come from ``users.json`` (kept in the user cache so drafts can show names); phase markers come
from ``/incident mark …`` written in messages (read in the author's zone, relative to the
message's own time) and from the command line, which wins; ``/incident action @owner DUE TEXT``
written in a message becomes an action item, its due date read from that message's day in its
author's zone. Importing again changes nothing that is already recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from bot.core import phases as phase_rules
from bot.core.action_grammar import parse_owner
from bot.core.commands_in_text import commands_in_text
from bot.core.duedate import parse_due_prefix
from bot.core.grammar import CommandError, StartArgs, parse_mark, parse_severity, parse_start
from bot.core.message_changes import MessageChange, MessageDeletion, MessagePost
from bot.core.record import PHASES
from bot.core.slackts import is_ts, ts_to_datetime
from bot.core.timeparse import TimeParseError, parse_at_clause, parse_moment
from bot.services.actions import check_item_text
from bot.services.bulk_capture import store_changes
from bot.services.errors import UserFacingError
from bot.services.slack_export import ExportChannel, SlackExport
from storage import actions as actions_repo
from storage import incidents as repo
from storage import people

IMPORT_TEAM_ID = "import"
"""The workspace id of an imported incident when ``users.json`` names none."""
UTC_ZONE = ZoneInfo("UTC")
TYPED_ENTRY_KINDS = {
    "note": "note",
    "impact": "impact",
    "cause": "cause",
    "factor": "factor",
    "went-well": "went_well",
    "went-poorly": "went_poorly",
    "surprised": "surprised",
}


class ImportRefused(UserFacingError):
    pass


@dataclass(frozen=True)
class Person:
    name: str | None
    tz: str | None


@dataclass(frozen=True)
class Marker:
    phase: str
    at: datetime
    note: str | None
    user_id: str | None


@dataclass(frozen=True)
class TypedEntry:
    kind: str
    text: str
    at: datetime
    user_id: str | None


@dataclass(frozen=True)
class TypedItem:
    owner_id: str
    due: date
    text: str
    at: datetime
    user_id: str


@dataclass
class ReadChannel:
    """What the export says about one channel, before anything is stored."""

    channel: ExportChannel
    team_id: str
    people: dict[str, Person]
    changes: list[MessageChange] = field(default_factory=list)
    markers: dict[str, Marker] = field(default_factory=dict)
    entries: list[TypedEntry] = field(default_factory=list)
    items: list[TypedItem] = field(default_factory=list)
    typed_start: StartArgs | None = None
    typed_start_user: str | None = None
    skipped: list[str] = field(default_factory=list)
    """Typed commands that could not be read, as ``ts: reason``."""

    @property
    def first_at(self) -> datetime | None:
        times = [c.posted_at for c in self.changes if isinstance(c, MessagePost)]
        return min(times) if times else None

    @property
    def last_at(self) -> datetime | None:
        times = [c.posted_at for c in self.changes if isinstance(c, MessagePost)]
        return max(times) if times else None


@dataclass(frozen=True)
class Imported:
    team_id: str
    channel_id: str
    channel_name: str
    title: str
    created: bool
    messages: int
    added: int
    phases: dict[str, datetime | None]
    skipped: tuple[str, ...] = ()
    items_added: int = 0


def team_of_export(users: list[dict[str, Any]]) -> str:
    """The workspace the export comes from: the team most of its users belong to."""
    teams = Counter(str(u["team_id"]) for u in users if u.get("team_id"))
    return teams.most_common(1)[0][0] if teams else IMPORT_TEAM_ID


def _people(users: list[dict[str, Any]]) -> dict[str, Person]:
    found = {}
    for user in users:
        if not user.get("id"):
            continue
        profile = user.get("profile") or {}
        name = user.get("real_name") or profile.get("real_name") or profile.get("display_name") or user.get("name")
        found[str(user["id"])] = Person(name=str(name) if name else None, tz=user.get("tz"))
    return found


def _zone(name: str | None) -> ZoneInfo:
    if not name:
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


def read_channel(export: SlackExport, wanted: str, *, parse: Callable[[dict[str, Any]], MessageChange]) -> ReadChannel:
    """Translate one channel of the export into plain values (nothing stored yet); ``parse``
    reads one stored Slack message."""
    channel = export.channel(wanted)
    users = export.users()
    read = ReadChannel(channel=channel, team_id=team_of_export(users), people=_people(users))
    records = sorted((m for m in export.messages(channel) if is_ts(m.get("ts"))), key=lambda m: ts_to_datetime(m["ts"]))
    for record in records:
        change = parse(record)
        read.changes.append(change)
        if isinstance(change, MessagePost) and change.user:
            _read_typed(read, change, change.user, record)
    return read


def _read_typed(read: ReadChannel, post: MessagePost, author: str, record: Mapping[str, Any]) -> None:
    person = read.people.get(author)
    zone = _zone(person.tz if person else None)
    for command in commands_in_text(post.text):
        try:
            if command.name == "mark":
                args = parse_mark(command.args)
                at, note = post.posted_at, args.note
                if args.time_words is not None:
                    at, rest = parse_at_clause(args.time_words, now=post.posted_at, tz=zone)
                    note = rest or None
                # A later marker of the same phase corrects an earlier one, as live.
                read.markers[args.phase] = Marker(phase=args.phase, at=at, note=note, user_id=author)
            elif command.name in ("start", "declare") and read.typed_start is None:
                read.typed_start = parse_start(command.args)
                read.typed_start_user = author
            elif command.name == "action":
                owner, rest = parse_owner(command.args)
                due, text = parse_due_prefix(rest, today=post.posted_at.astimezone(zone).date())
                read.items.append(
                    TypedItem(owner_id=owner, due=due, text=check_item_text(text), at=post.posted_at, user_id=author)
                )
            elif command.name in TYPED_ENTRY_KINDS and (command.args or command.name == "surprised"):
                read.entries.append(
                    TypedEntry(
                        kind=TYPED_ENTRY_KINDS[command.name], text=command.args, at=post.posted_at, user_id=author
                    )
                )
        except (CommandError, TimeParseError, phase_rules.PhaseError, UserFacingError) as error:
            read.skipped.append(f"{record.get('ts')}: /incident {command.name} {command.args} ({error})")


def parse_marker_options(
    options: Mapping[str, str | None], *, reference: datetime | None, now: datetime, zone: ZoneInfo
) -> dict[str, datetime]:
    """``--detected TIME`` … as UTC moments, read in ``zone`` unless the time names its own.

    A time without a date is its latest occurrence at or before ``reference`` (the export's last
    message); a time that cannot be read that way (a full date after the last message) is read
    against ``now``.
    """
    moments = {}
    for phase in PHASES:
        text = options.get(phase)
        if not text:
            continue
        try:
            moments[phase] = parse_moment(text, now=reference or now, tz=zone)
        except TimeParseError as error:
            try:
                moments[phase] = parse_moment(text, now=now, tz=zone)
            except TimeParseError:
                raise ImportRefused(f"--{phase} {text}: {error}") from None
    return moments


def _check_phase_order(markers: Mapping[str, Marker]) -> None:
    times: dict[str, datetime | None] = {}
    for phase in PHASES:
        if phase not in markers:
            continue
        try:
            phase_rules.check_order(times, phase, markers[phase].at)
        except phase_rules.PhaseError as error:
            raise ImportRefused(f"{error} Fix it with --{phase} TIME.") from None
        times[phase] = markers[phase].at


def store_import(
    session: Session,
    read: ReadChannel,
    *,
    title: str | None,
    severity: str | None,
    marker_times: Mapping[str, datetime],
    now: datetime,
) -> Imported:
    """Create (or complete) the incident of ``read`` in one transaction owned by the caller."""
    if severity is not None and parse_severity(severity) is None:
        raise ImportRefused(f"“{severity}” is not a severity; use sev1, sev2, sev3 or sev4.")
    markers = dict(read.markers)
    for phase, at in marker_times.items():
        markers[phase] = Marker(phase=phase, at=at, note=None, user_id=None)
    _check_phase_order(markers)
    posts = [c for c in read.changes if isinstance(c, (MessagePost, MessageDeletion))]
    if not posts and not markers:
        raise ImportRefused(f"#{read.channel.name} has no messages in this export; nothing to import.")

    typed = read.typed_start
    chosen_title = title or (typed.title if typed else None) or read.channel.purpose or f"#{read.channel.name}"
    chosen_severity = parse_severity(severity) if severity else (typed.severity if typed else None)
    times = [t for t in (read.first_at, markers["detected"].at if "detected" in markers else None) if t is not None]
    started_at = min(times) if times else now
    channel_id = read.channel.id

    # Importing again completes the channel's incident, even once it is closed, rather than
    # starting a second one that the messages (already kept by the first) would not reach.
    existing = repo.find_incident(session, read.team_id, channel_id)
    created = (
        None
        if existing is not None
        else repo.create_incident(
            session,
            team_id=read.team_id,
            channel_id=channel_id,
            title=chosen_title,
            severity=chosen_severity,
            started_by=read.typed_start_user,
            started_at=started_at,
        )
    )
    incident = existing or created or repo.find_incident(session, read.team_id, channel_id)
    assert incident is not None
    if created is None:
        if title:
            incident.title = title
        if severity:
            incident.severity = chosen_severity

    for user_id, person in read.people.items():
        people.remember_user(session, team_id=read.team_id, user_id=user_id, name=person.name, tz=person.tz, now=now)
    added = store_changes(
        session, read.changes, incident_id=incident.id, team_id=read.team_id, channel_id=channel_id, source="import"
    )

    current = repo.current_phase_marks(session, incident.id)
    for phase in PHASES:
        marker = markers.get(phase)
        if marker is None or (phase in current and current[phase].at == marker.at):
            continue
        repo.set_phase_mark(
            session,
            incident_id=incident.id,
            phase=phase,
            at=marker.at,
            note=marker.note,
            user_id=marker.user_id,
            now=now,
        )
    if "resolved" in markers:
        incident.status = "resolved"
        incident.resolved_at = markers["resolved"].at

    entries_held = {(e.kind, e.text, e.at) for e in repo.entries_for(session, incident.id)}
    for entry in read.entries:
        if (entry.kind, entry.text, entry.at) not in entries_held:
            repo.add_entry(
                session, incident_id=incident.id, kind=entry.kind, text=entry.text, user_id=entry.user_id, at=entry.at
            )
            entries_held.add((entry.kind, entry.text, entry.at))

    items_added = _store_typed_items(session, read, incident_id=incident.id)

    phases_now = {
        phase: markers[phase].at if phase in markers else (current[phase].at if phase in current else None)
        for phase in PHASES
    }
    return Imported(
        team_id=read.team_id,
        channel_id=channel_id,
        channel_name=read.channel.name,
        title=incident.title,
        created=created is not None,
        messages=len({p.ts for p in posts}),
        added=added,
        phases=phases_now,
        skipped=tuple(read.skipped),
        items_added=items_added,
    )


def _store_typed_items(session: Session, read: ReadChannel, *, incident_id: int) -> int:
    """Add the typed action items the incident does not have yet (same owner, due date, text)."""
    have = {
        (row.owner_id, row.due, row.text) for row in actions_repo.incident_items(session, read.team_id, incident_id)
    }
    added = 0
    for item in read.items:
        if (item.owner_id, item.due, item.text) in have:
            continue
        actions_repo.add_item(
            session,
            team_id=read.team_id,
            incident_id=incident_id,
            owner_id=item.owner_id,
            due=item.due,
            text=item.text,
            created_by=item.user_id,
            now=item.at,
        )
        have.add((item.owner_id, item.due, item.text))
        added += 1
    return added
