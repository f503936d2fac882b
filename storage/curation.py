"""The timeline's change log (bot/core/curation.py): append-only, one row per change.

Rows are never updated or deleted (an undo is a row of its own). ``seq`` numbers the changes of
one entry, and (incident, entry, seq) is unique: a writer takes the next number after the ones
it read, so two writers racing on one entry cannot both append on top of the same state; the
loser's insert does nothing, and it reads again. Callers own the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.core.curation import Change, ChangeAction
from storage.models import Base, Entry, Incident, Message
from storage.upsert import insert_for


class TimelineChange(Base):
    """One curation of a timeline entry: who changed what, and when."""

    __tablename__ = "timeline_changes"
    __table_args__ = (UniqueConstraint("incident_id", "entry_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    entry_id: Mapped[str] = mapped_column(String(64))
    """``msg:<ts>``, ``note:<id>`` (bot/core/curation.py)."""
    seq: Mapped[int]
    """1, 2, 3… over the changes of this entry."""
    action: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    """The corrected text of a ``text`` change."""
    corrected_at: Mapped[datetime | None]
    """The corrected time of a ``time`` change."""
    undoes: Mapped[int | None]
    """The id of the change an ``undo`` takes back (same incident and entry)."""
    user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


def _value(row: TimelineChange) -> Change:
    return Change(
        id=row.id,
        entry_id=row.entry_id,
        action=ChangeAction(row.action),
        user_id=row.user_id,
        made_at=row.created_at,
        text=row.text,
        time=row.corrected_at,
        undoes=row.undoes,
    )


def changes_for(session: Session, incident_id: int) -> list[Change]:
    """The incident's whole change log, in the order made: one query."""
    rows = session.scalars(
        select(TimelineChange).where(TimelineChange.incident_id == incident_id).order_by(TimelineChange.id)
    )
    return [_value(row) for row in rows]


def changes_of_entry(session: Session, incident_id: int, entry_id: str) -> list[Change]:
    rows = session.scalars(
        select(TimelineChange)
        .where(TimelineChange.incident_id == incident_id, TimelineChange.entry_id == entry_id)
        .order_by(TimelineChange.id)
    )
    return [_value(row) for row in rows]


def find_change(session: Session, incident_id: int, change_id: int) -> Change | None:
    row = session.scalars(
        select(TimelineChange).where(TimelineChange.incident_id == incident_id, TimelineChange.id == change_id)
    ).first()
    return None if row is None else _value(row)


def append_change(
    session: Session,
    *,
    incident_id: int,
    entry_id: str,
    seq: int,
    action: ChangeAction,
    user_id: str,
    now: datetime,
    text: str | None = None,
    corrected_at: datetime | None = None,
    undoes: int | None = None,
) -> int | None:
    """Append a change as number ``seq`` of its entry; None when that number is taken already
    (someone else changed the entry since it was read: read it again)."""
    stmt = (
        insert_for(session, TimelineChange)
        .values(
            incident_id=incident_id,
            entry_id=entry_id,
            seq=seq,
            action=action.value,
            text=text,
            corrected_at=corrected_at,
            undoes=undoes,
            user_id=user_id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["incident_id", "entry_id", "seq"])
        .returning(TimelineChange.id)
    )
    return session.execute(stmt).scalar()


@dataclass(frozen=True)
class RecordedEntry:
    """What the record holds of an entry that can be curated."""

    text: str | None
    at: datetime
    deleted: bool


def recorded_message(session: Session, incident: Incident, ts: str) -> RecordedEntry | None:
    """The incident's message of that ts, if it was recorded (found by the unique message key)."""
    row = session.execute(
        select(Message.text, Message.posted_at, Message.deleted_at).where(
            Message.team_id == incident.team_id,
            Message.channel_id == incident.channel_id,
            Message.ts == ts,
            Message.incident_id == incident.id,
        )
    ).first()
    return None if row is None else RecordedEntry(row.text, row.posted_at, row.deleted_at is not None)


def recorded_note(session: Session, incident_id: int, note_id: int) -> RecordedEntry | None:
    """The incident's note of that id, if there is one."""
    row = session.execute(
        select(Entry.text, Entry.at).where(Entry.incident_id == incident_id, Entry.id == note_id, Entry.kind == "note")
    ).first()
    return None if row is None else RecordedEntry(row.text, row.at, False)
