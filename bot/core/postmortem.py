"""The postmortem draft, built from an incident record.

`build_draft` does all the reasoning and formats every time, so a renderer (the Markdown
template in `postmortem_markdown`, or Block Kit elsewhere) only lays values out.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import datetime

from bot.core.alert_phases import ALERT_KIND, describe_source
from bot.core.blame import find_blame
from bot.core.curation import EntryCuration
from bot.core.draft import (
    ActionItemLine,
    Draft,
    PhaseLine,
    SectionFlag,
    TextSection,
    TimelineLine,
)
from bot.core.durations import (
    MEASURED_PHASES,
    PhaseDurations,
    format_duration,
    format_instant,
    measure_phases,
    spans_days,
)
from bot.core.mentions import mention
from bot.core.record import PHASES, ActionItemView, AlertPhases, IncidentRecord, PhaseTimes, TimelineEntry
from bot.core.roles import ROLE_LABELS, ROLES
from bot.core.transcript import build_transcript
from bot.core.updates import cadence_sentence

PHASE_NOUNS: dict[str, str] = {
    "detected": "detection",
    "acknowledged": "acknowledgment",
    "mitigated": "mitigation",
    "resolved": "resolution",
}
ENTRY_LABELS: dict[str, str] = {
    **{phase: phase.upper() for phase in PHASES},
    "note": "Note",
    ALERT_KIND: "Alert",
    "impact": "Impact",
    "cause": "Root cause",
    "factor": "Contributing factor",
    "went_well": "Went well",
    "went_poorly": "Went poorly",
}
PROMPTS: dict[str, str] = {
    "Impact": "No quantified impact was recorded. Who was affected, for how long, and how many? "
    "Vague impact leads to vague priorities. Record it with `/incident impact TEXT`.",
    "Root cause": "Not recorded yet. Which system or decision allowed this to happen? Keep asking "
    "until the answer is something you can change, not a person. "
    "Record it with `/incident cause TEXT`.",
    "Contributing factors": "Not recorded yet. What else made this worse or more likely? Most "
    "incidents have several. Record them with `/incident factor TEXT`.",
    "What went well": "Not recorded yet. Which practices and tooling helped? Those are worth "
    "protecting. Record them with `/incident went-well TEXT`.",
    "What went poorly": "Not recorded yet. Where did the response or the system fall short? "
    "Record it with `/incident went-poorly TEXT`.",
}


def build_draft(record: IncidentRecord, *, now: datetime, full: bool = True, version: int | None = None) -> Draft:
    phases = record.phases
    durations = measure_phases(phases)
    instants = [at for at in phases.as_dict().values() if at is not None]
    if full and record.timeline:
        instants.append(min(entry.at for entry in record.timeline))
        instants.append(max(entry.at for entry in record.timeline))
    with_dates = spans_days(instants)
    summary = summarise(record, durations, now=now)
    roles = roles_sentence(record.roles)
    if roles:
        summary = f"{summary} {roles}"
    kept, cadence_line = cadence_sentence(record, now=now)
    texts = {
        "Impact": record.impact,
        "Root cause": record.causes,
        "Contributing factors": record.factors,
        "What went well": (*record.went_well, cadence_line) if cadence_line and kept else record.went_well,
        "What went poorly": (*record.went_poorly, cadence_line) if cadence_line and not kept else record.went_poorly,
    }
    sections = {name: TextSection(name, values, None if values else PROMPTS[name]) for name, values in texts.items()}
    items = tuple(_action_item_line(item, now=now) for item in record.action_items)
    unready = sum(1 for item in items if item.problems)
    checked = ("Root cause", "Contributing factors", "What went poorly")
    flagged = [("Summary", (summary,))] + [(name, texts[name]) for name in checked]
    return Draft(
        channel=record.channel,
        title=record.title,
        severity=record.severity,
        service=record.service,
        status=record.status,
        full=full,
        version=version,
        generated=format_instant(now, with_date=True),
        summary=summary,
        with_dates=with_dates,
        phases=_phase_lines(phases, durations, with_dates),
        durations=durations,
        timeline=_timeline(record.timeline, with_dates, record.curation) if full else (),
        impact=sections["Impact"],
        root_cause=sections["Root cause"],
        contributing_factors=sections["Contributing factors"],
        went_well=sections["What went well"],
        went_poorly=sections["What went poorly"],
        action_items=items,
        final=unready == 0,
        not_final_reason=None if unready == 0 else _not_final_reason(unready),
        blame_flags=tuple(
            SectionFlag(name, flag) for name, values in flagged for text in values for flag in find_blame(text)
        ),
        mermaid=_mermaid(phases) if full else None,
        transcript=build_transcript(record.timeline, with_dates=with_dates) if full else (),
        phase_notes=phase_notes(record.alert_phases, with_dates=with_dates),
    )


def roles_sentence(roles: Mapping[str, str]) -> str:
    """ "Roles: incident commander <@U1>, communications lead <@U2>." — empty without roles."""
    named = [f"{ROLE_LABELS[role].lower()} {mention(roles[role])}" for role in ROLES if roles.get(role)]
    return f"Roles: {_join(named)}." if named else ""


def phase_notes(combined: AlertPhases | None, *, with_dates: bool) -> tuple[str, ...]:
    """Where alert-set phases come from, both sources when they differ, and the alerts' resolution
    as a suggestion (it never resolves the incident by itself)."""
    if combined is None:
        return ()
    notes = [
        f"{source.phase.capitalize()}: {describe_source(source, with_date=with_dates)}" for source in combined.sources
    ]
    if combined.alerts_resolved_at is not None:
        at = format_instant(combined.alerts_resolved_at, with_date=True)
        notes.append(
            f"Every linked alert has resolved (the last at {at} UTC). If the incident is over, "
            f"mark it: `/incident mark resolved at {at} UTC`."
        )
    return tuple(notes)


def summarise(record: IncidentRecord, durations: PhaseDurations, *, now: datetime) -> str:
    """One or two sentences on what happened, written from the data alone."""
    details = [part for part in (record.severity, record.service and f"service {record.service}") if part]
    head = record.title + (f" ({', '.join(details)})" if details else "")
    detected, resolved = record.phases.detected, record.phases.resolved
    measured = list(MEASURED_PHASES)
    if detected is not None and resolved is not None:
        same_day = detected.date() == resolved.date()
        opening = (
            f"{head} was detected at {format_instant(detected, with_date=True)} UTC and resolved at "
            f"{format_instant(resolved, with_date=not same_day)} UTC"
        )
        if durations.resolved is not None:
            opening += f", {format_duration(durations.resolved)} later"
            measured.remove("resolved")
    elif detected is not None:
        opening = f"{head} was detected at {format_instant(detected, with_date=True)} UTC"
        if record.status == "resolved":
            opening += " and closed without a resolution time"
        elif now >= detected:
            opening += f" and is not resolved yet ({format_duration(now - detected)} so far)"
        else:
            opening += " and is not resolved yet"
    elif resolved is not None:
        opening = f"{head} was resolved at {format_instant(resolved, with_date=True)} UTC"
    else:
        opening = head + " has no phase times marked"
    reached = [
        f"{phase} after {format_duration(value)}" for phase in measured if (value := durations.get(phase)) is not None
    ]
    sentences = [f"{opening}: {_join(reached)}." if reached else f"{opening}."]
    missing = [PHASE_NOUNS[phase] for phase in PHASES if record.phases.get(phase) is None]
    if missing and len(missing) < len(PHASES):
        sentences.append(f"Not marked: {_join(missing)}.")
    if durations.inverted:
        inverted = _join([PHASE_NOUNS[phase] for phase in durations.inverted])
        sentences.append(f"Marked before detection, so not measured: {inverted}.")
    elif detected is None and len(missing) < len(PHASES):
        sentences.append("Durations are measured from detection, so none can be given.")
    return " ".join(sentences)


def draft_sections(draft: Draft) -> dict[str, object]:
    """The draft's sections as plain JSON values, for the JSON form of the draft."""
    return {
        "summary": draft.summary,
        "impact": list(draft.impact.texts),
        "root_cause": list(draft.root_cause.texts),
        "contributing_factors": list(draft.contributing_factors.texts),
        "went_well": list(draft.went_well.texts),
        "went_poorly": list(draft.went_poorly.texts),
        "blame_flags": [
            {
                "section": item.section,
                "sentence": item.flag.sentence,
                "phrase": item.flag.phrase,
                "hint": item.flag.hint,
            }
            for item in draft.blame_flags
        ],
        "durations": draft.durations.as_seconds(),
    }


def _phase_lines(phases: PhaseTimes, durations: PhaseDurations, with_dates: bool) -> tuple[PhaseLine, ...]:
    lines = []
    for phase in PHASES:
        at = phases.get(phase)
        since = durations.get(phase) if phase != "detected" else None
        lines.append(
            PhaseLine(
                phase=phase,
                at=at,
                time=None if at is None else format_instant(at, with_date=with_dates),
                since_detection=None if since is None else format_duration(since),
            )
        )
    return tuple(lines)


def _timeline(
    entries: tuple[TimelineEntry, ...], with_dates: bool, curation: Mapping[str, EntryCuration]
) -> tuple[TimelineLine, ...]:
    """The key events, curated: hidden entries out, starred ones in (and marked), corrected
    text and time used with the recorded ones kept beside them. A deleted message stays out."""
    lines = []
    for entry in entries:
        curated = curation.get(entry.entry_id) if entry.entry_id is not None and curation else None
        is_message = entry.kind == "message"
        if curated is not None and curated.hidden:
            continue
        starred = curated is not None and curated.starred
        if is_message and (entry.deleted or not (entry.key or starred or entry.bot is not None)):
            continue
        at = curated.time if curated is not None and curated.time is not None else entry.at
        text = curated.text if curated is not None and curated.text is not None else entry.text
        lines.append(
            TimelineLine(
                at=at,
                time=format_instant(at, with_date=with_dates),
                kind=entry.kind,
                label=None if is_message else _entry_label(entry.kind),
                is_phase=entry.kind in PHASES,
                text=text,
                user=entry.user,
                bot=entry.bot,
                permalink=entry.permalink,
                entry_id=entry.entry_id,
                starred=starred,
                original_text=(entry.text or "") if text is not entry.text else None,
                original_time=format_instant(entry.at, with_date=with_dates) if at is not entry.at else None,
                corrected_by=_correctors(curated),
            )
        )
    lines.sort(key=lambda line: line.at)  # stable: keeps the record's (at, ts) order on ties
    return tuple(lines)


def _correctors(curated: EntryCuration | None) -> tuple[str, ...]:
    if curated is None:
        return ()
    people = [
        who for who, value in ((curated.text_by, curated.text), (curated.time_by, curated.time)) if value is not None
    ]
    return tuple(dict.fromkeys(person for person in people if person))


def _entry_label(kind: str) -> str:
    return ENTRY_LABELS.get(kind, kind.replace("_", " ").capitalize())


def _action_item_line(item: ActionItemView, *, now: datetime) -> ActionItemLine:
    problems = tuple(
        problem for problem, missing in (("no owner", item.owner is None), ("no due date", item.due is None)) if missing
    )
    done = item.status == "done"
    return ActionItemLine(
        id=item.id,
        text=item.text,
        owner=item.owner,
        due=None if item.due is None else item.due.isoformat(),
        done=done,
        overdue=not done and item.due is not None and item.due < now.date(),
        rollovers=item.rollovers,
        problems=problems,
        ticket=item.ticket,
    )


def _not_final_reason(unready: int) -> str:
    noun = "action item needs" if unready == 1 else "action items need"
    return f"{unready} {noun} an owner and a due date before this draft is final."


def _mermaid(phases: PhaseTimes) -> str | None:
    marked = [(phase, at.replace(second=0, microsecond=0)) for phase in PHASES if (at := phases.get(phase)) is not None]
    bars = []
    for (start_phase, start), (end_phase, end) in itertools.pairwise(marked):
        if end > start:
            name = f"{start_phase.capitalize()} to {end_phase} ({format_duration(end - start)})"
            bars.append(f"    {name} : {start:%Y-%m-%d %H:%M}, {end:%Y-%m-%d %H:%M}")
    if not bars:
        return None
    axis = "%H:%M" if marked[0][1].date() == marked[-1][1].date() else "%m-%d %H:%M"
    head = [
        "gantt",
        "    title Incident phases (UTC)",
        "    dateFormat YYYY-MM-DD HH:mm",
        f"    axisFormat {axis}",
        "    section Response",
    ]
    return "\n".join(head + bars)


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
