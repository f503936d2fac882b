"""The draft's Slack message stays inside Slack's limits whatever the incident, and says what it left out."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.curation import EntryCuration
from bot.core.postmortem import build_draft
from bot.core.record import ActionItemView, IncidentRecord, PhaseTimes, TimelineEntry
from bot.services.drafts import PreparedDraft
from bot.slack.draft_blocks import draft_message, fit_text

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
START = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def prepared(record: IncidentRecord, *, full: bool = True) -> PreparedDraft:
    draft = build_draft(record, now=NOW, full=full, version=3)
    return PreparedDraft(draft, "", "postmortem-C1-v3.md", "resolved", None, None)


def record(
    *, key_events: int = 0, flags: int = 0, items: int = 0, text_chars: int = 0, title: str = "Checkout errors"
) -> IncidentRecord:
    timeline = tuple(
        TimelineEntry(
            at=START + timedelta(seconds=n),
            kind="message",
            text=f"alert {n} " + "x" * 300,
            bot="Datadog",
            ts=f"{int((START + timedelta(seconds=n)).timestamp())}.000000",
            key=True,
            permalink=f"https://acme.slack.com/archives/C1/p{n:016d}",
        )
        for n in range(key_events)
    )
    return IncidentRecord(
        channel="C1",
        title=title,
        severity="sev1",
        status="resolved",
        phases=PhaseTimes(START, START + timedelta(minutes=5), START + timedelta(hours=1), START + timedelta(hours=2)),
        timeline=timeline,
        action_items=tuple(
            ActionItemView(n, None if n % 2 else "U2", date(2026, 12, 10), f"Fix thing {n} " + "y" * 200, "open")
            for n in range(items)
        ),
        went_poorly=tuple(f"<@U{n}> forgot to page the database team." for n in range(flags)),
        causes=("z" * text_chars,) if text_chars else (),
    )


def assert_within_limits(message: dict) -> None:
    blocks = message["blocks"]
    assert len(blocks) <= 50
    assert len(json.dumps(blocks, ensure_ascii=False)) + len(message["text"]) <= 40_000
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        for field in block.get("fields", ()):
            assert len(field["text"]) <= 2000
    assert blocks[-1]["type"] == "context"
    assert "postmortem-C1-v3.md" in blocks[-1]["elements"][0]["text"]


@pytest.mark.parametrize(
    "size",
    [
        {"key_events": 10_000},
        {"flags": 2_000},
        {"items": 3_000},
        {"text_chars": 50_000},
        {"title": "T" * 300},
        {"key_events": 5_000, "flags": 500, "items": 500, "text_chars": 20_000},
    ],
)
def test_the_message_fits_slacks_limits_however_big_the_draft_is(size: dict) -> None:
    assert_within_limits(draft_message(prepared(record(**size))))


def test_a_small_draft_shows_every_key_event_and_action_item() -> None:
    message = draft_message(prepared(record(key_events=3, items=2)))
    shown = json.dumps(message["blocks"], ensure_ascii=False)
    assert shown.count("(Datadog)") == 3
    assert "#0 Fix thing 0" in shown
    assert "#1 Fix thing 1" in shown
    assert "more key events" not in shown


def test_key_events_that_do_not_fit_are_counted_as_left_in_the_file() -> None:
    message = draft_message(prepared(record(key_events=10_000)))
    texts = [block["text"]["text"] for block in message["blocks"] if block["type"] == "section" and "text" in block]
    [more] = [text for text in texts if "more key events in the file" in text]
    hidden = int(more.rsplit("_…and ", 1)[1].split(" ")[0].replace(",", ""))
    shown = sum(text.count("(Datadog)") for text in texts)
    assert shown + hidden == 10_000
    assert shown > 0


def test_action_items_without_an_owner_are_flagged_and_the_draft_is_not_final() -> None:
    shown = json.dumps(draft_message(prepared(record(items=2)))["blocks"], ensure_ascii=False)
    assert "*Not final:* 1 action item needs an owner and a due date" in shown
    assert "#1 Fix thing 1" in shown
    assert ":warning: no owner" in shown


def test_blame_flags_quote_the_sentence_without_notifying_the_person_named() -> None:
    shown = json.dumps(draft_message(prepared(record(flags=1)))["blocks"], ensure_ascii=False)
    assert "Blameless check:* 1 phrase may name a person as the cause" in shown
    assert "“@U0 forgot to page the database team.”" in shown
    assert "• @U0 forgot to page the database team." in shown  # the section keeps the words, quietly
    assert "<@U0>" not in shown


def test_people_named_in_recorded_text_are_shown_by_name_and_not_notified_but_owners_are() -> None:
    draft = prepared(record(flags=2, items=1))
    named = dataclasses.replace(draft, names={"U1": "Grace Hopper"})
    shown = json.dumps(draft_message(named)["blocks"], ensure_ascii=False)
    assert "• @Grace Hopper forgot to page the database team." in shown
    assert "<@U1>" not in shown
    assert "<@U0>" not in shown
    assert "— <@U2>, due 2026-12-10" in shown  # the owner of item #0 is told: the item is theirs


def test_a_short_summary_leaves_out_the_sections_and_says_how_to_get_the_full_draft() -> None:
    message = draft_message(prepared(record(key_events=3), full=False))
    shown = json.dumps(message["blocks"], ensure_ascii=False)
    assert "short summary" in shown
    assert "/incident surprised" in shown
    assert "*Root cause*" not in shown
    assert "Key events" not in shown


def test_long_text_is_cut_at_a_word_end_with_an_ellipsis() -> None:
    assert fit_text("alpha beta gamma delta", 15) == "alpha beta…"
    assert fit_text("short", 15) == "short"
    assert len(fit_text("x" * 5000, 3000)) == 3000


def test_a_cut_never_leaves_a_link_open_to_join_the_next_one() -> None:
    line = "• 13:50 see <https://example.com/" + "a" * 300 + "|the runbook>"
    cut = fit_text(line, 200)
    assert cut == "• 13:50 see…"
    assert fit_text(f"{line}\n• <https://b.example|14:00>", 200).count("<") == 0


def test_the_key_events_mark_a_starred_entry_and_a_corrected_one() -> None:
    base = record(key_events=2)
    first, second = base.timeline
    named = (dataclasses.replace(first, entry_id="msg:a"), dataclasses.replace(second, entry_id="msg:b"))
    curated = dataclasses.replace(
        base,
        timeline=named,
        curation={
            "msg:a": EntryCuration("msg:a", starred=True),
            "msg:b": EntryCuration("msg:b", text="alert 1, the real one", text_by="U2"),
        },
    )
    shown = json.dumps(draft_message(prepared(curated))["blocks"], ensure_ascii=False)
    assert "(Datadog) :star:" in shown
    assert "alert 1, the real one (Datadog) _(corrected)_" in shown
    assert ":star:" not in json.dumps(draft_message(prepared(base))["blocks"])
