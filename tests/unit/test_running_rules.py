"""The pure rules of running an incident: the role grammar, the update cadence, the reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.catchup import KeyEvent, cut, key_events_since
from bot.core.grammar import CommandError
from bot.core.postmortem import build_draft
from bot.core.record import IncidentRecord, PhaseTimes, StatusUpdateView
from bot.core.roles import Holder, commander_of, current_holders, handoff_note, parse_role
from bot.core.updates import (
    UpdateFields,
    cadence,
    parse_next_update,
    parse_update_every,
    reminder_due,
)
from bot.settings import Settings

START = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)


def minutes(n: float) -> datetime:
    return START + timedelta(minutes=n)


def test_a_role_is_a_role_word_and_one_mention() -> None:
    assert parse_role("commander <@U2>").user_id == "U2"
    assert parse_role("IC <@U2|grace>").role == "commander"
    assert parse_role("comms <@W9>").role == "comms"
    for bad in ("", "scribe", "boss <@U2>", "scribe U2", "scribe <@U2> now", "scribe <!here>", f"ic <@U{'9' * 40}>"):
        with pytest.raises(CommandError):
            parse_role(bad)


def test_the_starter_is_commander_until_the_role_is_given() -> None:
    assert current_holders({}, started_by="U1") == [Holder("commander", "U1", by_default=True)]
    assert current_holders({"commander": "U2", "scribe": "U3"}, started_by="U1") == [
        Holder("commander", "U2"),
        Holder("scribe", "U3"),
    ]
    assert current_holders({}, started_by=None) == []
    assert commander_of({}, started_by="U1") == "U1"
    assert commander_of({"comms": "U3"}, started_by=None) is None


def test_a_handoff_note_names_both_holders() -> None:
    assert handoff_note("scribe", "U3", None) == "Scribe: <@U3>"
    assert handoff_note("commander", "U2", "U1") == "Incident commander: <@U2>, taking over from <@U1>"


def test_the_update_cadence_setting_is_read_per_severity() -> None:
    assert parse_update_every(None) == {"sev1": HALF_HOUR, "sev2": timedelta(hours=1)}
    assert parse_update_every("SEV3 = 2h, sev1=15") == {"sev3": timedelta(hours=2), "sev1": timedelta(minutes=15)}
    assert parse_update_every("off") == {}
    assert parse_update_every("") == {}


@pytest.mark.parametrize("bad", ["sev1", "sev9=30m", "sev1=soon", "sev1=0m", "sev1=30m,sev1=1h", "30m"])
def test_a_malformed_update_cadence_stops_the_start_with_one_line(bad: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        Settings.from_env({"SCRIBE_UPDATE_EVERY": bad})
    message = str(stopped.value)
    assert message.startswith("error: SCRIBE_UPDATE_EVERY")
    assert "\n" not in message


def test_the_settings_keep_the_default_cadence_and_the_stakeholder_channel() -> None:
    settings = Settings.from_env({"SCRIBE_STAKEHOLDER_CHANNEL": "C0STAKE"})
    assert (settings.update_every, settings.stakeholder_channel) == ("sev1=30m,sev2=60m", "C0STAKE")
    with pytest.raises(SystemExit, match="SCRIBE_STAKEHOLDER_CHANNEL"):
        Settings.from_env({"SCRIBE_STAKEHOLDER_CHANNEL": "#execs"})


def test_next_update_in_reads_minutes_or_hours() -> None:
    assert parse_next_update("30m") == 30
    assert parse_next_update("1h") == 60
    assert parse_next_update("45") == 45
    assert parse_next_update("") is None
    for bad in ("soon", "25h", "-5"):
        with pytest.raises(CommandError):
            parse_next_update(bad)


def test_an_update_reads_as_one_line_on_the_timeline() -> None:
    assert UpdateFields("Stable").as_text() == "Stable"
    assert UpdateFields("Stable", "none", None, 90).as_text() == "Stable — Impact: none — Next update in 1h 30m"


def due(now: datetime, *, last: datetime | None = None, snoozed: datetime | None = None) -> int | None:
    found = reminder_due(now, every=HALF_HOUR, started_at=START, last_update_at=last, snoozed_until=snoozed)
    return found.interval if found else None


def test_a_reminder_is_due_once_each_full_interval_from_the_start_or_the_last_update() -> None:
    assert due(minutes(29)) is None
    assert due(minutes(30)) == 1
    assert due(minutes(59)) == 1
    assert due(minutes(60)) == 2
    assert due(minutes(60), last=minutes(45)) is None
    assert due(minutes(75), last=minutes(45)) == 1


def test_no_reminder_while_snoozed_nor_for_a_severity_without_a_cadence() -> None:
    assert due(minutes(40), snoozed=minutes(50)) is None
    assert due(minutes(50), snoozed=minutes(50)) == 1
    assert reminder_due(minutes(90), every=None, started_at=START, last_update_at=None, snoozed_until=None) is None


def test_the_reminder_key_names_its_anchor_and_interval() -> None:
    found = reminder_due(minutes(65), every=HALF_HOUR, started_at=START, last_update_at=minutes(2), snoozed_until=None)
    assert found is not None
    assert found.key == "20261129T140200:2"


def test_the_cadence_measures_every_gap_from_the_start_to_the_resolution() -> None:
    kept = cadence([minutes(20), minutes(45)], started_at=START, until=minutes(60), target=HALF_HOUR)
    assert (kept.updates, kept.longest_gap, kept.median_gap, kept.kept) == (
        2,
        timedelta(minutes=25),
        timedelta(minutes=20),
        True,
    )
    missed = cadence([], started_at=START, until=minutes(95), target=HALF_HOUR)
    assert (missed.updates, missed.longest_gap, missed.kept) == (0, timedelta(minutes=95), False)
    assert cadence([], started_at=START, until=None, target=None).longest_gap is None


def test_a_catchup_shows_the_last_key_events_since_the_last_update_and_counts_the_rest() -> None:
    events = [KeyEvent(minutes(n), "note", f"n{n}", None) for n in range(10)]
    shown, earlier = key_events_since(events, minutes(2))
    assert [e.text for e in shown] == ["n5", "n6", "n7", "n8", "n9"]
    assert earlier == 2
    assert key_events_since(events[:3], None) == (events[:3], 0)


def test_a_catchup_line_is_cut_to_one_short_line() -> None:
    assert cut("a\nb   c") == "a b c"
    assert cut("x" * 300, 10) == "x" * 9 + "…"


def record(**overrides: object) -> IncidentRecord:
    values: dict[str, object] = {
        "channel": "C1",
        "title": "Checkout errors",
        "severity": "sev1",
        "status": "resolved",
        "phases": PhaseTimes(detected=minutes(5), resolved=minutes(100)),
        "timeline": (),
        "started_at": START,
        "started_by": "U1",
    }
    values.update(overrides)
    return IncidentRecord(**values)  # type: ignore[arg-type]


def test_the_draft_summary_names_whoever_holds_a_role() -> None:
    draft = build_draft(record(roles={"commander": "U2", "scribe": "U3"}), now=minutes(120))
    assert draft.summary.endswith("Roles: incident commander <@U2> and scribe <@U3>.")
    assert "Roles:" not in build_draft(record(), now=minutes(120)).summary


def test_the_update_cadence_goes_where_it_belongs_in_the_draft() -> None:
    updates = tuple(StatusUpdateView(minutes(n), "U2", f"u{n}") for n in (25, 50, 75))
    kept = build_draft(record(updates=updates, update_target=HALF_HOUR), now=minutes(120))
    assert kept.went_well.texts == (
        "3 status updates posted; the longest stretch without one was 25m, against a target of 30m.",
    )
    assert kept.went_poorly.texts == ()
    missed = build_draft(record(update_target=HALF_HOUR, went_poorly=("paging was slow",)), now=minutes(120))
    assert missed.went_poorly.texts == (
        "paging was slow",
        "No status update posted; the longest stretch without one was 1h 40m, against a target of 30m.",
    )
    untargeted = build_draft(record(severity="sev3", updates=updates[:1]), now=minutes(120))
    assert untargeted.went_well.texts == (
        "1 status update posted; the longest stretch without one was 1h 15m (no update target for this severity).",
    )
    assert build_draft(record(severity="sev3"), now=minutes(120)).went_well.texts == ()
