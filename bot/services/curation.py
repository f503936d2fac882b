"""Curating an incident's timeline: star, hide, correct and undo (rules in bot/core/curation.py).

Who may curate: anyone the record shows took part in the incident — they started it, posted in
its channel, marked a phase, added a note or another entry, or created or own one of its action
items (``storage.actions.is_participant``, the same rule as for changing action items). The
record is used rather than the channel's member list: no Slack call is needed, and someone who
merely joined the channel has not taken part. The incident must belong to the caller's
workspace. Curation works on open and closed incidents alike (tidying happens before the review).

What can be curated: recorded messages (``msg:<ts>``) and notes (``note:<id>``). A phase marker is
corrected by marking the phase again; a message deleted in Slack stays out of every draft and
cannot be corrected back (its text is gone for good).

Every function writes in the caller's transaction and never commits. Each is idempotent:
starring a starred entry, hiding a hidden one or undoing an undone change writes nothing and
says so (``ChangeResult.changed`` is False); the change log's unique (incident, entry, seq)
makes two racing writers append one change each on top of what the other wrote, never two on
the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.curation import (
    Change,
    ChangeAction,
    CurationError,
    EntryCuration,
    EntryKind,
    EntryRef,
    changes_anything,
    check_text,
    check_time,
    curate,
    curation_of,
    parse_entry_ref,
    undoable,
)
from bot.services.errors import UserFacingError
from bot.services.incidents import require_incident
from storage import actions as action_repo
from storage import curation as repo
from storage.curation import RecordedEntry
from storage.models import Incident

MAX_ATTEMPTS = 5
"""Reads and appends before giving up when other writers keep changing the same entry."""


class CurationRefused(UserFacingError):
    """The curation cannot be done; the message says why, for the person who asked."""


@dataclass(frozen=True)
class ChangeResult:
    entry_id: str
    action: ChangeAction
    changed: bool
    """False when the entry already was so (nothing was written)."""
    change_id: int | None
    """The id of the change appended, or None when nothing was."""
    curation: EntryCuration
    """The entry's curation after the call."""
    incident_id: int
    shown_text: str | None = None
    """The entry's text as the draft shows it (corrected, else recorded); None for an undo."""


def incident_of(session: Session, *, team_id: str, incident_id: int) -> Incident:
    """The incident, if it is of this workspace; else a refusal that does not tell them apart."""
    incident = session.get(Incident, incident_id)
    if incident is None or incident.team_id != team_id:
        raise CurationRefused(f"There is no incident #{incident_id} in this workspace.")
    return incident


def read_entry_ref(text: str, *, incident: Incident) -> EntryRef:
    """How a person named an entry, read for this incident (see bot/core/curation.py)."""
    try:
        return parse_entry_ref(text, channel_id=incident.channel_id)
    except CurationError as error:
        raise CurationRefused(str(error)) from None


MARKS: dict[str, ChangeAction] = {
    "star": ChangeAction.STAR,
    "unstar": ChangeAction.UNSTAR,
    "hide": ChangeAction.HIDE,
    "unhide": ChangeAction.UNHIDE,
}
"""The marks a person can set or clear by naming an entry (the Slack subcommands' words)."""


def mark_entry_in_channel(
    session: Session, *, team_id: str, channel_id: str, mark: str, entry: str, user_id: str, now: datetime
) -> ChangeResult:
    """Star, unstar, hide or unhide an entry of the channel's incident (the open one, else the
    most recent: a closed incident is tidied before its review), named as a person types it."""
    incident = require_incident(session, team_id, channel_id)
    return _change(session, team_id, incident.id, entry, user_id, now, MARKS[mark])


def curation_for(session: Session, incident_id: int) -> dict[str, EntryCuration]:
    """Every curated entry of the incident (entry id → curation); absent entries are as recorded.
    One query. Not scoped by workspace: read it for an incident the reader may see (``incident_of``)."""
    return curate(repo.changes_for(session, incident_id))


def change_log(session: Session, incident_id: int) -> list[Change]:
    """The incident's change log, oldest first, each change marked ``in_effect`` or not (who
    made it: ``user_id``; when: ``made_at``). Scoped like :func:`curation_for`."""
    curations = curation_for(session, incident_id)
    return sorted((change for item in curations.values() for change in item.changes), key=lambda change: change.id)


def star_entry(
    session: Session, *, team_id: str, incident_id: int, entry_id: str, user_id: str, now: datetime
) -> ChangeResult:
    """Make the entry a key event of the draft's timeline."""
    return _change(session, team_id, incident_id, entry_id, user_id, now, ChangeAction.STAR)


def unstar_entry(
    session: Session, *, team_id: str, incident_id: int, entry_id: str, user_id: str, now: datetime
) -> ChangeResult:
    """Take back a star (an entry that is key for another reason, a 📌 say, stays key)."""
    return _change(session, team_id, incident_id, entry_id, user_id, now, ChangeAction.UNSTAR)


def hide_entry(
    session: Session, *, team_id: str, incident_id: int, entry_id: str, user_id: str, now: datetime
) -> ChangeResult:
    """Leave the entry out of the draft's timeline (the record and the transcript keep it)."""
    return _change(session, team_id, incident_id, entry_id, user_id, now, ChangeAction.HIDE)


def unhide_entry(
    session: Session, *, team_id: str, incident_id: int, entry_id: str, user_id: str, now: datetime
) -> ChangeResult:
    return _change(session, team_id, incident_id, entry_id, user_id, now, ChangeAction.UNHIDE)


def correct_entry(
    session: Session,
    *,
    team_id: str,
    incident_id: int,
    entry_id: str,
    user_id: str,
    now: datetime,
    text: str | None = None,
    at: datetime | None = None,
) -> list[ChangeResult]:
    """Correct the entry's text, its time (aware; not in the future), or both: one change each.
    The original stays in the record; the draft shows the correction and what it replaced."""
    if text is None and at is None:
        raise CurationRefused("Say what to correct: the text, the time, or both.")
    try:  # both checked before anything is written: a refusal writes nothing
        cleaned = None if text is None else check_text(text)
        when = None if at is None else check_time(at, now=now)
    except CurationError as error:
        raise CurationRefused(str(error)) from None
    results = []
    if cleaned is not None:
        results.append(_change(session, team_id, incident_id, entry_id, user_id, now, ChangeAction.TEXT, text=cleaned))
    if when is not None:
        results.append(_change(session, team_id, incident_id, entry_id, user_id, now, ChangeAction.TIME, time=when))
    return results


def undo_change(
    session: Session, *, team_id: str, incident_id: int, change_id: int, user_id: str, now: datetime
) -> ChangeResult:
    """Take back one change of the log (an undo too: undoing an undo puts its change back)."""
    incident = incident_of(session, team_id=team_id, incident_id=incident_id)
    _check_participant(session, incident, user_id)
    try:
        target = undoable(repo.find_change(session, incident.id, change_id))
    except CurationError as error:
        raise CurationRefused(str(error)) from None
    for _ in range(MAX_ATTEMPTS):
        changes = repo.changes_of_entry(session, incident.id, target.entry_id)
        current = curation_of(curate(changes), target.entry_id)
        if not any(change.id == target.id and change.in_effect for change in current.changes):
            return ChangeResult(target.entry_id, ChangeAction.UNDO, False, None, current, incident.id)
        new_id = repo.append_change(
            session,
            incident_id=incident.id,
            entry_id=target.entry_id,
            seq=_next_seq(changes),
            action=ChangeAction.UNDO,
            user_id=user_id,
            now=now,
            undoes=target.id,
        )
        if new_id is not None:
            after = curation_of(curate(repo.changes_of_entry(session, incident.id, target.entry_id)), target.entry_id)
            return ChangeResult(target.entry_id, ChangeAction.UNDO, True, new_id, after, incident.id)
    raise CurationRefused("Others are changing this entry right now; try again in a moment.")


def _change(
    session: Session,
    team_id: str,
    incident_id: int,
    entry_id: str,
    user_id: str,
    now: datetime,
    action: ChangeAction,
    *,
    text: str | None = None,
    time: datetime | None = None,
) -> ChangeResult:
    incident = incident_of(session, team_id=team_id, incident_id=incident_id)
    ref = read_entry_ref(entry_id, incident=incident)
    recorded = _recorded(session, incident, ref)
    if recorded.deleted and action in (ChangeAction.TEXT, ChangeAction.TIME, ChangeAction.STAR):
        raise CurationRefused("That message was deleted in Slack: it stays out of the draft, whatever its curation.")
    _check_participant(session, incident, user_id)
    for _ in range(MAX_ATTEMPTS):
        changes = repo.changes_of_entry(session, incident.id, ref.entry_id)
        current = curation_of(curate(changes), ref.entry_id)
        if not changes_anything(current, action, text=text, time=time):
            return ChangeResult(ref.entry_id, action, False, None, current, incident.id, _shown(current, recorded))
        new_id = repo.append_change(
            session,
            incident_id=incident.id,
            entry_id=ref.entry_id,
            seq=_next_seq(changes),
            action=action,
            user_id=user_id,
            now=now,
            text=text,
            corrected_at=time,
        )
        if new_id is not None:
            after = curation_of(curate(repo.changes_of_entry(session, incident.id, ref.entry_id)), ref.entry_id)
            return ChangeResult(ref.entry_id, action, True, new_id, after, incident.id, _shown(after, recorded))
    raise CurationRefused("Others are changing this entry right now; try again in a moment.")


def _shown(curated: EntryCuration, recorded: RecordedEntry) -> str | None:
    return curated.text if curated.text is not None else recorded.text


def _next_seq(changes: list[Change]) -> int:
    return len(changes) + 1


def _recorded(session: Session, incident: Incident, ref: EntryRef) -> RecordedEntry:
    if ref.kind is EntryKind.PHASE:
        raise CurationRefused(
            f"A phase marker is corrected by marking it again: `/incident mark {ref.key} at TIME [NOTE]` "
            "(the earlier marker stays in the history)."
        )
    if ref.kind is EntryKind.NOTE:
        note = repo.recorded_note(session, incident.id, int(ref.key))
        if note is None:
            raise CurationRefused(f"This incident has no note {ref.entry_id}.")
        return note
    message = repo.recorded_message(session, incident, ref.key)
    if message is None:
        raise CurationRefused(
            "That message is not in this incident's record (it may be from before the incident started, "
            "or from another incident of this channel)."
        )
    return message


def _check_participant(session: Session, incident: Incident, user_id: str) -> None:
    if not action_repo.is_participant(session, incident, user_id):
        raise CurationRefused(
            "Only people who took part in this incident (posted in its channel, marked a phase, added a note "
            "or own one of its action items) can curate its timeline."
        )
