"""How linked alerts set phases and write the timeline.

- ``detected`` is the earliest trigger (or firing) of the linked alerts, and ``acknowledged`` the
  first acknowledgment by a person (an acknowledgment with no person, a timeout, does not count);
- a phase a person marked always wins; when the alert's time differs, both are shown;
- an alert time that would break the phase order (detected ≤ acknowledged ≤ mitigated ≤ resolved)
  against what people marked is shown but not used;
- the alerts resolving is shown and suggested; it never sets ``mitigated`` or ``resolved``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from bot.core.alert_events import SOURCE_LABELS, AlertAction, AlertEvent
from bot.core.durations import format_instant
from bot.core.mentions import mention
from bot.core.phases import order_conflicts
from bot.core.record import PHASES, AlertPhases, FromAlert, PhaseSource, PhaseTimes, TimelineEntry, TypedMark

ALERT_PHASES: tuple[str, ...] = ("detected", "acknowledged")
ALERT_KIND = "alert"
"""The kind of timeline entries written by alerts. Not one of the JSON contract's kinds: the JSON
draft lists them under their own key (``alerts``), never in ``timeline``."""

ACTION_WORDS: dict[AlertAction, str] = {
    AlertAction.TRIGGERED: "triggered",
    AlertAction.ACKNOWLEDGED: "acknowledged",
    AlertAction.UNACKNOWLEDGED: "unacknowledged",
    AlertAction.ESCALATED: "escalated",
    AlertAction.REASSIGNED: "reassigned",
    AlertAction.RESOLVED: "resolved",
    AlertAction.FIRING: "firing",
    AlertAction.ALERT_RESOLVED: "resolved-alert",
    AlertAction.OTHER: "updated",
}


def alert_phase_times(events: Iterable[AlertEvent]) -> dict[str, FromAlert]:
    """The earliest trigger, and the earliest acknowledgment by a person, of these events."""
    found: dict[str, FromAlert] = {}
    for event in sorted(events, key=lambda event: (event.at, event.external_id)):
        if event.action.starts_trouble and "detected" not in found:
            found["detected"] = FromAlert(event.at, event.source, event.by, event.link)
        if event.action is AlertAction.ACKNOWLEDGED and event.by and "acknowledged" not in found:
            found["acknowledged"] = FromAlert(event.at, event.source, event.by, event.link)
    return found


def alerts_resolved_at(events: Iterable[AlertEvent]) -> datetime | None:
    """When the last linked alert resolved, if each alert's latest event is a resolution."""
    latest: dict[object, AlertEvent] = {}
    for event in sorted(events, key=lambda event: (event.at, event.external_id)):
        if event.action is AlertAction.OTHER:
            continue
        latest[event.group] = event
    if not latest or not all(event.action.ends_trouble for event in latest.values()):
        return None
    return max(event.at for event in latest.values())


def combine_phases(marks: Mapping[str, TypedMark], events: Iterable[AlertEvent]) -> AlertPhases:
    """The incident's phases from what people marked and what the linked alerts say."""
    events = list(events)
    from_alerts = alert_phase_times(events)
    times: dict[str, datetime | None] = {phase: mark.at for phase, mark in marks.items() if phase in PHASES}
    sources = []
    for phase in ALERT_PHASES:
        mark, alert = marks.get(phase), from_alerts.get(phase)
        if mark is None and alert is None:
            continue
        if mark is not None:
            sources.append(PhaseSource(phase, mark.at, "marked", mark, alert))
            continue
        assert alert is not None
        if order_conflicts(times, phase, alert.at):
            sources.append(PhaseSource(phase, None, None, None, alert, alert_out_of_order=True))
            continue
        times[phase] = alert.at
        sources.append(PhaseSource(phase, alert.at, "alert", None, alert))
    resolved = alerts_resolved_at(events)
    return AlertPhases(
        phases=PhaseTimes(**{phase: times.get(phase) for phase in PHASES}),
        sources=tuple(sources),
        alerts_resolved_at=resolved if times.get("resolved") is None else None,
    )


def describe_source(source: PhaseSource, *, with_date: bool = False) -> str:
    """``PagerDuty: acknowledged 13:55 UTC; marked 14:02 UTC by <@U1>`` (user ids as Slack
    mentions, for the adapter to show inert), or one half when only one source has the phase."""
    parts = []
    if source.alert is not None:
        alert = source.alert
        by = f" by {alert.by}" if alert.by and source.phase == "acknowledged" else ""
        text = f"{SOURCE_LABELS[alert.source]}: {source.phase} {format_instant(alert.at, with_date=with_date)} UTC{by}"
        if source.alert_out_of_order:
            text += " (not used: it would break the phase order)"
        parts.append(text)
    if source.marked is not None:
        by = f" by {mention(source.marked.user)}" if source.marked.user else ""
        parts.append(f"marked {format_instant(source.marked.at, with_date=with_date)} UTC{by}")
    return "; ".join(parts)


def alert_entry_text(event: AlertEvent) -> str:
    """``PagerDuty triggered: [#1234] Checkout 5xx (service checkout)``; ``… acknowledged by Ada``."""
    head = f"{SOURCE_LABELS[event.source]} {ACTION_WORDS[event.action]}"
    if event.by and event.action not in (AlertAction.TRIGGERED, AlertAction.FIRING):
        head += f" by {event.by}"
    service = f" (service {event.service})" if event.service else ""
    return f"{head}: {event.title}{service}"


def alert_entries(events: Iterable[AlertEvent]) -> list[TimelineEntry]:
    """Timeline entries of the linked alerts, at the source's own times, each linking back."""
    return [
        TimelineEntry(
            at=event.at,
            kind=ALERT_KIND,
            text=alert_entry_text(event),
            bot=SOURCE_LABELS[event.source],
            key=True,
            permalink=event.link,
        )
        for event in sorted(events, key=lambda event: (event.at, event.external_id))
    ]


def phase_entries(combined: AlertPhases) -> list[TimelineEntry]:
    """The phases alerts set (nobody marked them), as the timeline's phase entries: the draft's
    timeline has detection and acknowledgment marked either way."""
    entries = []
    for source in combined.sources:
        if source.used != "alert" or source.alert is None:
            continue
        alert = source.alert
        by = f" by {alert.by}" if alert.by and source.phase == "acknowledged" else ""
        entries.append(
            TimelineEntry(
                at=alert.at,
                kind=source.phase,
                text=f"from {SOURCE_LABELS[alert.source]}{by}",
                bot=SOURCE_LABELS[alert.source],
                key=True,
                permalink=alert.link,
            )
        )
    return entries
