"""Drafts of an incident's record: the JSON of the contract and the Markdown postmortem."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.core.draft_json import record_to_json
from bot.core.record import IncidentRecord
from bot.services.records import load_record
from bot.settings import Settings
from storage import incidents as repo


def record_for_channel(session: Session, channel_id: str, *, team_id: str | None = None) -> IncidentRecord:
    incident = (
        repo.find_incident(session, team_id, channel_id) if team_id else repo.find_incident_by_channel(session, channel_id)
    )
    if incident is None:
        raise LookupError(f"no incident is recorded for channel {channel_id}")
    return load_record(session, incident)


def draft_json(session: Session, channel_id: str, *, now: datetime, settings: Settings, team_id: str | None = None) -> dict[str, Any]:
    return record_to_json(record_for_channel(session, channel_id, team_id=team_id))


def draft_markdown(session: Session, channel_id: str, *, now: datetime, settings: Settings, team_id: str | None = None) -> str:
    record = record_for_channel(session, channel_id, team_id=team_id)
    lines = [f"# {record.title}", "", "## Timeline (UTC)", ""]
    for entry in record.timeline:
        who = f"<@{entry.user}>" if entry.user else (entry.bot or "")
        text = "(message deleted)" if entry.deleted else (entry.text or "")
        label = entry.kind.upper() if entry.kind != "message" else ""
        lines.append(f"- {entry.at:%Y-%m-%d %H:%M:%S} {label} {who}: {text}".replace("  ", " "))
    return "\n".join(lines) + "\n"
