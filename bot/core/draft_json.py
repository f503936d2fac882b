"""The JSON draft of the interface contract."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.core.alert_events import SOURCE_LABELS
from bot.core.alert_phases import ACTION_WORDS, ALERT_KIND, alert_entry_text
from bot.core.curation import EntryCuration
from bot.core.record import PHASES, IncidentRecord, PhaseSource, TimelineEntry


def iso_z(at: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``; microseconds only when there are any."""
    if at is None:
        return None
    at = at.astimezone(UTC)
    text = at.isoformat(timespec="microseconds" if at.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def _entry(entry: TimelineEntry, curated: EntryCuration | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "at": iso_z(entry.at),
        "kind": entry.kind,
        "user": entry.user if entry.user is not None else entry.bot,
        "text": entry.text,
    }
    if entry.ts is not None:
        item["ts"] = entry.ts
    if entry.thread_ts is not None:
        item["thread_ts"] = entry.thread_ts
    if entry.bot is not None:
        item["bot"] = entry.bot
    if entry.edited_at is not None:
        item["edited_at"] = iso_z(entry.edited_at)
    if entry.deleted:
        item["deleted"] = True
    if entry.key:
        item["key"] = True
    if entry.files:
        item["files"] = list(entry.files)
    if entry.permalink:
        item["permalink"] = entry.permalink
    if entry.entry_id is not None:
        item["entry"] = entry.entry_id
    if curated is not None and curated.curated:
        item["curation"] = {
            "starred": curated.starred,
            "hidden": curated.hidden,
            "text": None if entry.deleted else curated.text,
            "at": iso_z(curated.time),
        }
    return item


def _source(source: PhaseSource) -> dict[str, Any]:
    item: dict[str, Any] = {"at": iso_z(source.at), "used": source.used}
    if source.marked is not None:
        item["marked"] = {"at": iso_z(source.marked.at), "user": source.marked.user}
    if source.alert is not None:
        item["alert"] = {
            "at": iso_z(source.alert.at),
            "source": str(source.alert.source),
            "by": source.alert.by,
            "link": source.alert.link,
            "used": source.used == "alert",
        }
    return item


def alerts_to_json(record: IncidentRecord) -> dict[str, Any]:
    """The keys alerts add to the draft, only when alerts are linked: ``alerts`` (their timeline
    entries: the contract's ``timeline`` kinds stay phase names, ``note`` and ``message``) and
    ``phase_sources`` (where detection and acknowledgment come from)."""
    if not record.alerts:
        return {}
    result: dict[str, Any] = {
        "alerts": [
            {
                "at": iso_z(event.at),
                "source": str(event.source),
                "action": ACTION_WORDS[event.action],
                "by": event.by,
                "title": event.title,
                "service": event.service,
                "link": event.link,
                "text": alert_entry_text(event),
                "label": SOURCE_LABELS[event.source],
            }
            for event in record.alerts
        ]
    }
    combined = record.alert_phases
    if combined is not None:
        result["phase_sources"] = {source.phase: _source(source) for source in combined.sources}
        if combined.alerts_resolved_at is not None:
            result["alerts_resolved_at"] = iso_z(combined.alerts_resolved_at)
    return result


def _curated(record: IncidentRecord, entry: TimelineEntry) -> EntryCuration | None:
    if not record.curation or entry.entry_id is None:
        return None
    return record.curation.get(entry.entry_id)


def record_to_json(record: IncidentRecord) -> dict[str, Any]:
    """``{"incident", "phases", "timeline", "action_items", "roles", "updates"}`` as the contract
    fixes them (an update is also a ``note`` on the timeline).

    The timeline is the whole record as captured, in its recorded order, with the recorded
    ``at`` and ``text``; each entry carries its ``entry`` id, and a curated one a ``curation``
    (``starred``, ``hidden``, the corrected ``text`` and ``at`` or null) that the draft applies.
    A message deleted in Slack shows no corrected text either: its words are gone for good.
    With linked alerts, the keys of :func:`alerts_to_json` are added; alert entries never enter
    ``timeline``, whose kinds stay the contract's."""
    return {
        "incident": {
            "channel": record.channel,
            "title": record.title,
            "severity": record.severity,
            "status": record.status,
            "service": record.service,
        },
        "phases": {phase: iso_z(record.phases.get(phase)) for phase in PHASES},
        "timeline": [_entry(entry, _curated(record, entry)) for entry in record.timeline if entry.kind != ALERT_KIND],
        "action_items": [
            {
                "id": item.id,
                "owner": item.owner,
                "due": item.due.isoformat() if item.due else None,
                "text": item.text,
                "status": item.status,
                "ticket": item.ticket.as_json() if item.ticket else None,
            }
            for item in record.action_items
        ],
        "roles": dict(record.roles),
        "updates": [{"at": iso_z(update.at), "user": update.user, "text": update.text} for update in record.updates],
        **alerts_to_json(record),
    }
