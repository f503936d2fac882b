"""``/incident start | mark | note | status | help``: the live record."""

from __future__ import annotations

from bot.core.backfill import backfill_oldest, split_since
from bot.core.durations import format_duration, measure_phases
from bot.core.grammar import parse_mark, parse_start, parse_text
from bot.core.pages import incident_page
from bot.core.phases import PHASE_LABELS
from bot.core.postmortem import phase_notes
from bot.core.record import PHASES, PhaseTimes
from bot.core.timeparse import format_local, parse_at_clause, parse_moment
from bot.services import incidents
from bot.slack.help_text import HELP_TEXT
from bot.slack.history import accept_start_checks
from bot.slack.safe_text import safe_link, safe_mrkdwn, user_mention
from bot.slack.subcommands import postmortem as draft_posting
from bot.slack.subcommands.registry import CommandCall, Reply, subcommand

PHASE_EMOJI = {
    "detected": ":rotating_light:",
    "acknowledged": ":eyes:",
    "mitigated": ":adhesive_bandage:",
    "resolved": ":white_check_mark:",
}


@subcommand("start")
def start(call: CommandCall) -> Reply:
    words, since_words = split_since(call.args)
    args = parse_start(words)
    since = parse_moment(since_words, now=call.now, tz=call.zone) if since_words else None
    with call.write() as session:
        started = incidents.start_incident(
            session, team_id=call.team_id, channel_id=call.channel_id, args=args, user_id=call.user_id, now=call.now
        )
        if started.created or since is not None:
            # Can the bot read the channel, and what was said before the command: after the answer.
            accept_start_checks(
                session,
                team_id=call.team_id,
                channel_id=call.channel_id,
                user_id=call.user_id,
                oldest=backfill_oldest(call.now, since),
                response_url=call.response_url,
                now=call.now,
            )
    if not started.created:
        return Reply(
            f"This channel is already recording “{safe_mrkdwn(started.title)}”. "
            "Mark phases with `/incident mark PHASE [at TIME] [NOTE]`."
        )
    severity = f" ({started.severity})" if started.severity else ""
    return Reply(
        f":red_circle: {user_mention(call.user_id)} started incident *{safe_mrkdwn(started.title)}*{severity}. "
        "Every message in this channel is now recorded with its UTC time. Mark phases with "
        "`/incident mark detected|acknowledged|mitigated|resolved [at TIME] [NOTE]`.",
        public=True,
    )


@subcommand("mark")
def mark(call: CommandCall) -> Reply:
    args = parse_mark(call.args)
    at, note = call.now, args.note
    if args.time_words is not None:
        at, rest = parse_at_clause(args.time_words, now=call.now, tz=call.zone)
        note = rest or None
    with call.write() as session:
        marked = incidents.mark_phase(
            session,
            team_id=call.team_id,
            channel_id=call.channel_id,
            phase=args.phase,
            at=at,
            note=note,
            user_id=call.user_id,
            now=call.now,
        )
        posted = draft_posting.reserve_draft(call, session, reason="resolved") if marked.phase == "resolved" else None
    zone = call.display_zone()
    lines = [
        (
            f"{PHASE_EMOJI[marked.phase]} *{PHASE_LABELS[marked.phase]}* at {format_local(marked.at, zone)}"
            f", marked by {user_mention(call.user_id)}."
        )
    ]
    if marked.previous_at is not None:
        lines.append(
            f"Corrected from {marked.previous_at:%Y-%m-%d %H:%M} UTC; the earlier marker stays in the history."
        )
    if note:
        lines.append(f"> {safe_mrkdwn(note)}")
    progress = _durations_line(PhaseTimes(**marked.phases))
    if progress:
        lines.append(progress)
    if posted is not None:
        lines.append(draft_posting.posting_line(posted))
    return Reply("\n".join(lines), public=True)


@subcommand("note")
def note(call: CommandCall) -> Reply:
    text = parse_text(call.args, what="note", example="/incident note Rolled back to v1.42")
    with call.write() as session:
        incidents.add_entry(
            session,
            team_id=call.team_id,
            channel_id=call.channel_id,
            kind="note",
            text=text,
            user_id=call.user_id,
            now=call.now,
        )
    return Reply(
        f":pushpin: Key event noted by {user_mention(call.user_id)} at {call.now:%H:%M} UTC:\n> {safe_mrkdwn(text)}",
        public=True,
    )


@subcommand("status")
def status(call: CommandCall) -> Reply:
    with call.deps.sessions() as session:
        current = incidents.incident_status(session, team_id=call.team_id, channel_id=call.channel_id)
    zone = call.display_zone()
    severity = f" ({current.severity})" if current.severity else ""
    lines = [f"*{safe_mrkdwn(current.title)}*{severity} — {current.status}, {current.message_count} messages recorded"]
    for phase in PHASES:
        at = current.phases[phase]
        shown = format_local(at, zone) if at else "not marked yet"
        lines.append(f"{PHASE_EMOJI[phase]} {PHASE_LABELS[phase]}: {shown}")
    progress = _durations_line(PhaseTimes(**current.phases))
    if progress:
        lines.append(progress)
    if current.alert_phases is not None:
        lines += [
            f"• {safe_mrkdwn(note, names=current.names)}"
            for note in phase_notes(current.alert_phases, with_dates=False)
        ]
    page = incident_page(call.deps.settings.public_url, current.incident_id)
    if page:
        lines.append("The record, the timeline and the draft: " + safe_link(page, "the incident's page"))
    return Reply("\n".join(lines))


@subcommand("help")
def help_(call: CommandCall) -> Reply:
    return Reply(HELP_TEXT)


def _durations_line(phases: PhaseTimes) -> str:
    durations = measure_phases(phases)
    parts = [
        f"to {label} {format_duration(value)}"
        for phase, label in (("acknowledged", "acknowledge"), ("mitigated", "mitigate"), ("resolved", "resolve"))
        if (value := durations.get(phase)) is not None
    ]
    return "Time from detection: " + ", ".join(parts) + "." if parts else ""
