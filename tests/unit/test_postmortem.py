import dataclasses
import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jinja2
import pytest

from bot.core.curation import EntryCuration
from bot.core.draft import SECTION_NAMES
from bot.core.durations import format_duration, measure_phases
from bot.core.postmortem import build_draft, draft_sections
from bot.core.postmortem_markdown import people_in, render_markdown
from bot.core.record import ActionItemView, IncidentRecord, PhaseTimes, TimelineEntry

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def at(hour: int, minute: int, day: int = 29, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def message(when: datetime, text: str, user: str = "U0ALICE", ts: str = "", **extra: object) -> TimelineEntry:
    ts = ts or f"{when.timestamp():.6f}"
    link = f"https://acme.slack.com/archives/C0PAY/p{ts.replace('.', '')}"
    return TimelineEntry(at=when, kind="message", text=text, user=user, ts=ts, permalink=link, **extra)  # type: ignore[arg-type]


def marker(when: datetime, phase: str, text: str | None = None, user: str = "U0ALICE") -> TimelineEntry:
    return TimelineEntry(at=when, kind=phase, text=text, user=user)


def typical_sev1() -> IncidentRecord:
    parent = message(at(14, 3), "Seeing 502s on /charge from the EU edge", edited_at=at(14, 4))
    return IncidentRecord(
        channel="C0PAY",
        title="Payments API outage",
        severity="sev1",
        status="resolved",
        service="payments",
        phases=PhaseTimes(at(14, 5), at(14, 9), at(14, 43), at(15, 20)),
        timeline=(
            parent,
            TimelineEntry(
                at=at(14, 4),
                kind="message",
                text="[FIRING] payments-api 5xx rate > 5%",
                bot="PagerDuty",
                ts="1795961040.000200",
                key=True,
                permalink="https://acme.slack.com/archives/C0PAY/p1795961040000200",
            ),
            marker(at(14, 5), "detected", "5xx alert fired for payments-api"),
            message(at(14, 6), "looking at the LB logs", user="U0BOB", thread_ts=parent.ts),
            message(at(14, 7), "wrong channel, sorry", user="U0BOB", deleted=True),
            message(
                at(14, 8),
                "latency graph attached\np99 at 9s",
                user="U0BOB",
                thread_ts=parent.ts,
                files=("latency.png",),
            ),
            marker(at(14, 9), "acknowledged", user="U0BOB"),
            message(
                at(14, 20),
                "Cert on the EU edge expired at 14:01 <https://status.acme.io|status page>",
                user="U0CAROL",
                key=True,
            ),
            TimelineEntry(at=at(14, 30), kind="note", text="Rolling back the edge config to v412", user="U0BOB"),
            marker(at(14, 43), "mitigated", "Error rate back under 0.5%", user="U0BOB"),
            marker(at(15, 20), "resolved"),
        ),
        action_items=(
            ActionItemView(1, "U0BOB", date(2026, 12, 6), "Alert 14 days before any edge certificate expires", "open"),
            ActionItemView(2, "U0CAROL", date(2026, 12, 13), "Automate edge certificate renewal", "done"),
        ),
        impact=("About 12% of card payments failed for 38 minutes (around 4,100 charges, all EU customers).",),
        causes=("Edge certificates are renewed by hand and nothing alerts before they expire.",),
        factors=("The expiry alert existed only for the US edge.",),
        went_well=("The rollback runbook worked first time.",),
        went_poorly=("It took 18 minutes to find which certificate had expired.",),
    )


def multi_day() -> IncidentRecord:
    return IncidentRecord(
        channel="C0SRCH",
        title="Search indexing lag",
        severity="sev2",
        status="resolved",
        service="search",
        phases=PhaseTimes(at(23, 40), at(23, 52), at(1, 10, day=30), at(2, 0, day=1, month=12)),
        timeline=(
            marker(at(23, 40), "detected", "Index lag above 30 minutes"),
            marker(at(23, 52), "acknowledged", user="U0DAN"),
            message(at(0, 15, day=30), "Kafka consumer group is rebalancing in a loop", user="U0DAN", key=True),
            marker(at(1, 10, day=30), "mitigated", "Paused the reindex job", user="U0DAN"),
            marker(at(2, 0, day=1, month=12), "resolved", user="U0DAN"),
        ),
        action_items=(ActionItemView(3, "U0DAN", date(2026, 12, 10), "Cap the reindex batch size", "open"),),
        causes=("The reindex job has no rate limit, so a full reindex starves the live consumers.",),
    )


def no_markers() -> IncidentRecord:
    return IncidentRecord(
        channel="C0WEB",
        title="Slow dashboard loads",
        severity=None,
        status="active",
        phases=PhaseTimes(),
        timeline=(message(at(9, 0), "dashboards take 20s to load for me", user="U0ERIN"),),
    )


def detected_and_resolved_only() -> IncidentRecord:
    return IncidentRecord(
        channel="C0MAIL",
        title="Delayed password-reset emails",
        severity="sev3",
        status="resolved",
        service="email",
        phases=PhaseTimes(detected=at(10, 0), resolved=at(11, 30)),
        timeline=(
            marker(at(10, 0), "detected", "Reset emails queued for 25 minutes"),
            marker(at(11, 30), "resolved"),
        ),
        action_items=(ActionItemView(4, None, None, "Alert on mail queue age", "open"),),
    )


def blaming_root_cause() -> IncidentRecord:
    return dataclasses.replace(
        detected_and_resolved_only(),
        title="Checkout config push",
        severity="sev2",
        causes=("<@U0FRANK> forgot to run the config linter. Human error.",),
        went_poorly=("The health check should have caught this. The on-call should have escalated sooner.",),
        action_items=(ActionItemView(5, "U0FRANK", None, "Run the config linter in CI", "open"),),
    )


def curated_sev1() -> IncidentRecord:
    """The typical incident after curation: a thread reply starred, the alert hidden, the note's
    text corrected and a key message's time corrected."""
    record = typical_sev1()
    named = tuple(
        dataclasses.replace(entry, entry_id=f"msg:{entry.ts}" if entry.ts else f"note:{index}")
        for index, entry in enumerate(record.timeline)
    )
    by_text = {entry.text: str(entry.entry_id) for entry in named}
    reply, alert = by_text["looking at the LB logs"], by_text["[FIRING] payments-api 5xx rate > 5%"]
    note = by_text["Rolling back the edge config to v412"]
    cert = by_text["Cert on the EU edge expired at 14:01 <https://status.acme.io|status page>"]
    curation = {
        reply: EntryCuration(reply, starred=True),
        alert: EntryCuration(alert, hidden=True),
        note: EntryCuration(note, text="Rolled back the edge config to v411 (not v412)", text_by="U0CAROL"),
        cert: EntryCuration(cert, time=at(14, 2), time_by="U0BOB"),
    }
    return dataclasses.replace(record, timeline=named, curation=curation)


CASES = {
    "typical_sev1": (typical_sev1, {"version": 2}),
    "curated_sev1": (curated_sev1, {"version": 3}),
    "multi_day": (multi_day, {}),
    "no_markers": (no_markers, {}),
    "detected_and_resolved_only": (detected_and_resolved_only, {}),
    "blaming_root_cause": (blaming_root_cause, {}),
    "short_summary": (typical_sev1, {"full": False}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_markdown_draft_matches_its_reviewed_golden_file(name: str) -> None:
    make, options = CASES[name]
    markdown = render_markdown(build_draft(make(), now=NOW, **options))  # type: ignore[arg-type]
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(markdown, encoding="utf-8")
    assert markdown == golden.read_text(encoding="utf-8")


def test_sections_appear_as_headings_in_the_seed_order_with_the_transcript_last() -> None:
    markdown = render_markdown(build_draft(typical_sev1(), now=NOW))

    headings = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == [*SECTION_NAMES, "Appendix: Transcript"]


def test_the_short_draft_keeps_only_summary_phases_and_action_items() -> None:
    markdown = render_markdown(build_draft(typical_sev1(), now=NOW, full=False))

    assert [line for line in markdown.splitlines() if line.startswith("## ")] == ["## Summary", "## Action items"]
    assert "| Mitigated | 14:43 | 38m |" in markdown


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (45, "45s"),
        (4 * 60 + 59, "4m"),
        (3600, "1h"),
        (75 * 60, "1h 15m"),
        (2 * 86400 + 3 * 3600 + 59, "2d 3h"),
        (86400, "1d"),
    ],
)
def test_durations_read_like_a_person_would_write_them(seconds: int, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text


def test_durations_are_measured_from_detection_and_unknown_when_a_phase_precedes_it() -> None:
    durations = measure_phases(PhaseTimes(at(14, 5), at(14, 1), None, at(15, 20)))

    assert durations.as_seconds() == {"acknowledged": None, "mitigated": None, "resolved": 75 * 60}
    assert durations.inverted == ("acknowledged",)


def test_without_detection_no_duration_is_given_and_the_summary_says_why() -> None:
    record = dataclasses.replace(no_markers(), phases=PhaseTimes(resolved=at(12, 0)))

    draft = build_draft(record, now=NOW)

    assert draft.durations.as_seconds() == {"acknowledged": None, "mitigated": None, "resolved": None}
    assert draft.summary == (
        "Slow dashboard loads was resolved at 2026-11-29 12:00 UTC. "
        "Not marked: detection, acknowledgment and mitigation. "
        "Durations are measured from detection, so none can be given."
    )


def test_an_unresolved_incident_says_how_long_it_has_been_open() -> None:
    record = dataclasses.replace(no_markers(), phases=PhaseTimes(detected=at(14, 0)))

    assert build_draft(record, now=at(16, 0)).summary == (
        "Slow dashboard loads was detected at 2026-11-29 14:00 UTC and is not resolved yet (2h so far). "
        "Not marked: acknowledgment, mitigation and resolution."
    )


def test_a_phase_marked_before_detection_is_reported_not_measured() -> None:
    record = dataclasses.replace(
        detected_and_resolved_only(), phases=PhaseTimes(at(10, 0), at(9, 55), None, at(11, 30))
    )

    assert build_draft(record, now=NOW).summary.endswith("Marked before detection, so not measured: acknowledgment.")


def test_an_action_item_without_owner_or_due_date_keeps_the_draft_from_being_final() -> None:
    draft = build_draft(detected_and_resolved_only(), now=NOW)

    assert draft.final is False
    assert draft.action_items[0].problems == ("no owner", "no due date")
    assert "**Not final:** 1 action item needs an owner and a due date" in render_markdown(draft)


def test_a_draft_whose_items_all_have_owner_and_date_is_final() -> None:
    draft = build_draft(typical_sev1(), now=NOW)

    assert draft.final is True
    assert "Not final" not in render_markdown(draft)


def test_an_open_item_past_its_due_date_is_overdue_and_a_done_one_is_not() -> None:
    draft = build_draft(typical_sev1(), now=datetime(2026, 12, 20, tzinfo=UTC))

    assert [item.overdue for item in draft.action_items] == [True, False]


def test_the_timeline_holds_key_events_only_and_marks_the_phases() -> None:
    draft = build_draft(typical_sev1(), now=NOW)

    assert [(line.time, line.label) for line in draft.timeline] == [
        ("14:04", None),
        ("14:05", "DETECTED"),
        ("14:09", "ACKNOWLEDGED"),
        ("14:20", None),
        ("14:30", "Note"),
        ("14:43", "MITIGATED"),
        ("15:20", "RESOLVED"),
    ]


def test_the_transcript_keeps_replies_under_their_parent_and_shows_deletions() -> None:
    draft = build_draft(typical_sev1(), now=NOW)

    assert [(line.time, line.depth, line.deleted) for line in draft.transcript] == [
        ("14:03", 0, False),
        ("14:06", 1, False),
        ("14:08", 1, False),
        ("14:04", 0, False),
        ("14:07", 0, True),
        ("14:20", 0, False),
    ]
    assert draft.transcript[0].edited == "14:04"
    assert draft.transcript[4].text is None


def test_a_reply_whose_parent_was_not_recorded_stays_in_place_marked_as_a_reply() -> None:
    reply = message(at(9, 5), "same here", user="U0BOB", thread_ts="1700000000.000100")
    record = dataclasses.replace(no_markers(), timeline=(*no_markers().timeline, reply))

    lines = build_draft(record, now=NOW).transcript

    assert [(line.depth, line.orphan_reply) for line in lines] == [(0, False), (0, True)]
    assert "@U0BOB (thread reply): same here" in render_markdown(build_draft(record, now=NOW))


def test_the_phase_chart_needs_two_phases_marked_in_order() -> None:
    one = dataclasses.replace(no_markers(), phases=PhaseTimes(detected=at(9, 0)))
    backwards = dataclasses.replace(no_markers(), phases=PhaseTimes(detected=at(9, 0), resolved=at(8, 0)))

    assert build_draft(one, now=NOW).mermaid is None
    assert build_draft(backwards, now=NOW).mermaid is None
    chart = build_draft(detected_and_resolved_only(), now=NOW).mermaid
    assert chart is not None
    assert "Detected to resolved (1h 30m) : 2026-11-29 10:00, 2026-11-29 11:30" in chart


def test_blame_flags_carry_the_section_they_came_from() -> None:
    draft = build_draft(blaming_root_cause(), now=NOW)

    assert [(item.section, item.flag.phrase) for item in draft.blame_flags] == [
        ("Root cause", "<@U0FRANK> forgot"),
        ("Root cause", "Human error"),
        ("What went poorly", "on-call should have"),
    ]


def test_draft_sections_are_plain_json_values() -> None:
    sections = draft_sections(build_draft(blaming_root_cause(), now=NOW))

    assert json.loads(json.dumps(sections)) == sections
    assert sections["durations"] == {"acknowledged": None, "mitigated": None, "resolved": 5400}
    assert sections["root_cause"] == ["<@U0FRANK> forgot to run the config linter. Human error."]
    assert sections["impact"] == []
    assert sections["blame_flags"][0]["section"] == "Root cause"  # type: ignore[index]


def test_a_teams_own_template_gets_the_same_draft_and_strict_undefined() -> None:
    draft = build_draft(typical_sev1(), now=NOW)

    assert render_markdown(draft, template="{{ draft.title }}: {{ draft.durations.resolved }}") == (
        "Payments API outage: 1:15:00"
    )
    with pytest.raises(jinja2.UndefinedError, match="no_such_field"):
        render_markdown(draft, template="{{ draft.no_such_field }}")


def test_slack_references_become_readable_markdown() -> None:
    record = dataclasses.replace(
        no_markers(),
        timeline=(message(at(9, 0), "ping <@U1|ann> in <#C2|ops>, <!here>, see <https://x.io/a|the doc>"),),
    )

    assert "ping @ann in #ops, @here, see [the doc](https://x.io/a)" in render_markdown(build_draft(record, now=NOW))


def test_known_names_replace_user_ids_and_unknown_ids_stay_ids() -> None:
    record = dataclasses.replace(typical_sev1(), causes=("Cert renewal depended on <@U0BOB> remembering it",))
    draft = build_draft(record, now=NOW)
    assert {"U0ALICE", "U0BOB"} <= people_in(draft)
    markdown = render_markdown(draft, names={"U0ALICE": "Alice Liddell", "U0BOB": "Bob"})
    assert "@Alice Liddell" in markdown
    assert "@U0ALICE" not in markdown
    assert "depended on @Bob remembering it" in markdown
    assert "@U0ALICE" in render_markdown(draft)


def test_the_curated_timeline_leaves_hidden_entries_out_and_takes_starred_ones_in() -> None:
    draft = build_draft(curated_sev1(), now=NOW)
    texts = [line.text for line in draft.timeline]
    assert "[FIRING] payments-api 5xx rate > 5%" not in texts
    (starred,) = [line for line in draft.timeline if line.starred]
    assert starred.text == "looking at the LB logs"
    assert starred.entry_id is not None
    assert starred.entry_id.startswith("msg:")


def test_a_correction_is_used_and_the_recorded_text_and_time_are_kept_beside_it() -> None:
    draft = build_draft(curated_sev1(), now=NOW)
    note = next(line for line in draft.timeline if line.kind == "note")
    assert (note.text, note.original_text, note.original_time, note.corrected_by) == (
        "Rolled back the edge config to v411 (not v412)",
        "Rolling back the edge config to v412",
        None,
        ("U0CAROL",),
    )
    cert = next(line for line in draft.timeline if line.text and line.text.startswith("Cert"))
    assert (cert.at, cert.time, cert.original_time, cert.original_text) == (at(14, 2), "14:02", "14:20", None)
    assert draft.timeline.index(cert) < draft.timeline.index(note)
    assert {"U0CAROL", "U0BOB"} <= people_in(draft)


def test_curation_leaves_the_transcript_as_recorded() -> None:
    assert build_draft(curated_sev1(), now=NOW).transcript == build_draft(typical_sev1(), now=NOW).transcript


def test_a_deleted_message_stays_out_of_the_timeline_even_when_starred() -> None:
    record = typical_sev1()
    gone = dataclasses.replace(next(entry for entry in record.timeline if entry.deleted), entry_id="msg:gone", key=True)
    record = dataclasses.replace(
        record, timeline=(*record.timeline, gone), curation={"msg:gone": EntryCuration("msg:gone", starred=True)}
    )
    assert all(line.entry_id != "msg:gone" for line in build_draft(record, now=NOW).timeline)
