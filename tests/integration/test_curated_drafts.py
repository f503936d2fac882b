"""A curation changes the next draft, read from the database: Markdown and JSON alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.services import curation, drafts
from bot.settings import Settings
from storage import incidents as repo
from storage.models import Message

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
START = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
SETTINGS = Settings()


def seed(session: Session) -> tuple[int, int]:
    incident = repo.create_incident(
        session, team_id="T1", channel_id="C1", title="Checkout", severity="sev2", started_by="U1", started_at=START
    )
    assert incident is not None
    for minute, ts, user, bot, text in (
        (1, "1764424860.000100", None, "B1", "[FIRING] checkout 5xx"),
        (2, "1764424920.000200", "U2", None, "rolling back 4512"),
        (3, "1764424980.000300", "U2", None, "lunch?"),
    ):
        session.add(
            Message(
                incident_id=incident.id,
                team_id="T1",
                channel_id="C1",
                ts=ts,
                user_id=user,
                bot_id=bot,
                bot_name="PagerDuty" if bot else None,
                text=text,
                posted_at=START + timedelta(minutes=minute),
            )
        )
    repo.set_phase_mark(
        session, incident_id=incident.id, phase="detected", at=START, note=None, user_id="U1", now=START
    )
    note = repo.add_entry(
        session,
        incident_id=incident.id,
        kind="note",
        text="paged payments",
        user_id="U1",
        at=START + timedelta(minutes=4),
    )
    session.flush()
    return incident.id, note.id


def markdown(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return drafts.draft_markdown(session, "C1", now=NOW, settings=SETTINGS, team_id="T1")


def timeline_of(text: str) -> list[str]:
    body = text.split("All times UTC.", 1)[1].split("## Impact", 1)[0]
    return [line for line in body.splitlines() if line.startswith("- ")]


def test_the_next_draft_leaves_out_what_was_hidden_takes_in_what_was_starred_and_shows_corrections(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        incident_id, note_id = seed(session)
    before = timeline_of(markdown(sessions))
    assert [line.split(" ", 2)[2] for line in before] == [
        "**DETECTED** · @U1",
        "[FIRING] checkout 5xx · PagerDuty (bot)",
        "**Note** — paged payments · @U1",
    ]
    with sessions.begin() as session:
        common: dict[str, Any] = {"team_id": "T1", "incident_id": incident_id, "now": NOW}
        curation.hide_entry(session, entry_id="msg:1764424860.000100", user_id="U2", **common)
        curation.star_entry(session, entry_id="msg:1764424920.000200", user_id="U2", **common)
        curation.correct_entry(
            session, entry_id=f"note:{note_id}", user_id="U1", text="paged the payments on-call", **common
        )
    after = timeline_of(markdown(sessions))
    assert [line.split(" ", 2)[2] for line in after] == [
        "**DETECTED** · @U1",
        "rolling back 4512 · @U2 · ⭐ starred",
        "**Note** — paged the payments on-call · @U1 · _corrected by @U1_ (recorded as “paged payments”)",
    ]
    with sessions() as session:
        result = drafts.draft_json(session, "C1", now=NOW, settings=SETTINGS, team_id="T1")
    by_entry = {item["entry"]: item for item in result["timeline"]}
    assert set(by_entry) == {
        "phase:detected",
        "msg:1764424860.000100",
        "msg:1764424920.000200",
        "msg:1764424980.000300",
        f"note:{note_id}",
    }
    assert by_entry["msg:1764424860.000100"]["curation"] == {"starred": False, "hidden": True, "text": None, "at": None}
    assert by_entry[f"note:{note_id}"]["text"] == "paged payments"  # the record as captured
    assert by_entry[f"note:{note_id}"]["curation"]["text"] == "paged the payments on-call"
    assert "curation" not in by_entry["msg:1764424980.000300"]
    assert all(set(item) >= {"at", "kind", "user", "text"} for item in result["timeline"])
