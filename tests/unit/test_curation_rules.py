"""Naming timeline entries and replaying their change log: the pure rules of curation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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
    in_effect,
    parse_entry_ref,
)
from bot.core.draft_json import record_to_json
from bot.core.record import IncidentRecord, PhaseTimes, TimelineEntry

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
ENTRY = "msg:1764428700.000100"


def change(
    number: int,
    action: ChangeAction,
    *,
    undoes: int | None = None,
    text: str | None = None,
    time: datetime | None = None,
    entry: str = ENTRY,
    user: str = "U1",
) -> Change:
    return Change(number, entry, action, user, NOW + timedelta(minutes=number), text=text, time=time, undoes=undoes)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("msg:1764428700.000100", EntryRef(EntryKind.MESSAGE, "1764428700.000100")),
        ("1764428700.000100", EntryRef(EntryKind.MESSAGE, "1764428700.000100")),
        ("https://acme.slack.com/archives/C1/p1764428700000100", EntryRef(EntryKind.MESSAGE, "1764428700.000100")),
        (
            "<https://acme.slack.com/archives/C1/p1764428700000200?thread_ts=1764428700.000100&cid=C1>",
            EntryRef(EntryKind.MESSAGE, "1764428700.000200"),
        ),
        (
            "<https://acme.slack.com/archives/C1/p1764428700000100|that message>",
            EntryRef(EntryKind.MESSAGE, "1764428700.000100"),
        ),
        ("note:12", EntryRef(EntryKind.NOTE, "12")),
        ("note:012", EntryRef(EntryKind.NOTE, "12")),
        ("phase:Detected", EntryRef(EntryKind.PHASE, "detected")),
    ],
)
def test_an_entry_is_named_by_its_id_its_ts_or_its_slack_link(typed: str, expected: EntryRef) -> None:
    assert parse_entry_ref(typed, channel_id="C1") == expected


def test_the_entry_id_reads_back_as_the_same_entry() -> None:
    for ref in (EntryRef(EntryKind.MESSAGE, "1764428700.000100"), EntryRef(EntryKind.NOTE, "7")):
        assert parse_entry_ref(ref.entry_id, channel_id="C1") == ref


@pytest.mark.parametrize(
    "typed", ["", "   ", "note:0", "note:x", "msg:abc", "phase:fixed", "hello", "https://example.com/p1"]
)
def test_something_that_names_no_entry_is_refused_saying_what_is_accepted(typed: str) -> None:
    with pytest.raises(CurationError, match="Copy link"):
        parse_entry_ref(typed, channel_id="C1")


def test_a_link_to_another_channels_message_is_refused_by_name() -> None:
    with pytest.raises(CurationError, match="another channel"):
        parse_entry_ref("https://acme.slack.com/archives/C9/p1764428700000100", channel_id="C1")


def test_a_star_then_a_hide_both_stay_in_effect() -> None:
    curated = curate([change(1, ChangeAction.STAR), change(2, ChangeAction.HIDE)])[ENTRY]
    assert (curated.starred, curated.hidden, curated.corrected) == (True, True, False)
    assert [c.in_effect for c in curated.changes] == [True, True]


def test_undo_takes_one_change_back_and_undoing_the_undo_puts_it_back() -> None:
    log = [change(1, ChangeAction.STAR), change(2, ChangeAction.UNDO, undoes=1)]
    assert curate(log)[ENTRY].starred is False
    assert in_effect(log) == {2}
    log.append(change(3, ChangeAction.UNDO, undoes=2))
    assert curate(log)[ENTRY].starred is True
    assert in_effect(log) == {1, 3}


def test_undoing_a_text_correction_brings_back_the_earlier_correction() -> None:
    log = [
        change(1, ChangeAction.TEXT, text="first fix", user="U1"),
        change(2, ChangeAction.TEXT, text="second fix", user="U2"),
        change(3, ChangeAction.UNDO, undoes=2, user="U3"),
    ]
    curated = curate(log)[ENTRY]
    assert (curated.text, curated.text_by) == ("first fix", "U1")


def test_a_time_correction_is_kept_with_who_made_it() -> None:
    at = NOW - timedelta(hours=1)
    curated = curate([change(1, ChangeAction.TIME, time=at, user="U2")])[ENTRY]
    assert (curated.time, curated.time_by, curated.text, curated.curated) == (at, "U2", None, True)


def test_unstar_and_unhide_clear_their_marks() -> None:
    log = [
        change(1, ChangeAction.STAR),
        change(2, ChangeAction.HIDE),
        change(3, ChangeAction.UNSTAR),
        change(4, ChangeAction.UNHIDE),
    ]
    curated = curate(log)[ENTRY]
    assert (curated.starred, curated.hidden, curated.curated) == (False, False, False)
    assert len(curated.changes) == 4


def test_entries_are_curated_apart() -> None:
    other = "note:3"
    curations = curate([change(1, ChangeAction.STAR), change(2, ChangeAction.HIDE, entry=other)])
    assert curations[ENTRY].starred
    assert not curations[ENTRY].hidden
    assert curations[other].hidden
    assert not curations[other].starred
    assert curation_of(curations, "note:99") == EntryCuration("note:99")


def test_repeating_what_is_already_so_changes_nothing() -> None:
    starred = EntryCuration(ENTRY, starred=True, text="fixed")
    assert changes_anything(starred, ChangeAction.STAR) is False
    assert changes_anything(starred, ChangeAction.UNSTAR) is True
    assert changes_anything(starred, ChangeAction.HIDE) is True
    assert changes_anything(starred, ChangeAction.UNHIDE) is False
    assert changes_anything(starred, ChangeAction.TEXT, text="fixed") is False
    assert changes_anything(starred, ChangeAction.TEXT, text="fixed again") is True
    assert changes_anything(starred, ChangeAction.TIME, time=NOW) is True


def test_a_corrected_text_is_trimmed_and_must_say_something_within_the_limit() -> None:
    assert check_text("  the real cause  ") == "the real cause"
    with pytest.raises(CurationError, match="cannot be empty"):
        check_text("   ")
    with pytest.raises(CurationError, match="at most 4,000"):
        check_text("x" * 4001)


def test_a_corrected_time_must_be_aware_and_not_in_the_future() -> None:
    assert check_time(NOW, now=NOW) == NOW
    with pytest.raises(CurationError, match="future"):
        check_time(NOW + timedelta(seconds=1), now=NOW)
    with pytest.raises(ValueError, match="aware"):
        check_time(datetime(2026, 11, 29, 14, 0), now=NOW)  # noqa: DTZ001 -- naive on purpose


def test_the_json_of_a_message_deleted_in_slack_shows_no_corrected_text() -> None:
    gone = TimelineEntry(
        at=NOW, kind="message", text=None, user="U1", ts="1764428700.000100", deleted=True, entry_id=ENTRY
    )
    record = IncidentRecord(
        channel="C1",
        title="t",
        severity=None,
        status="active",
        phases=PhaseTimes(),
        timeline=(gone,),
        curation={ENTRY: EntryCuration(ENTRY, hidden=True, text="what it said", text_by="U1")},
    )
    [entry] = record_to_json(record)["timeline"]
    assert entry["entry"] == ENTRY
    assert entry["curation"] == {"starred": False, "hidden": True, "text": None, "at": None}
