"""Curating a timeline through the use cases, on the database: who may, what is kept, what once means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.curation import ChangeAction
from bot.services import curation
from bot.services.curation import CurationRefused
from storage import curation as store
from storage import incidents as repo
from storage.curation import TimelineChange
from storage.models import Message

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
TS = "1764427800.000100"  # 2026-11-29 14:50 UTC


def seed(session: Session, *, team: str = "T1", channel: str = "C1") -> int:
    incident = repo.create_incident(
        session, team_id=team, channel_id=channel, title="Checkout", severity="sev2", started_by="U1", started_at=NOW
    )
    assert incident is not None
    session.add(
        Message(
            incident_id=incident.id,
            team_id=team,
            channel_id=channel,
            ts=TS,
            user_id="U2",
            text="rolled back the deploy",
            posted_at=NOW - timedelta(minutes=10),
        )
    )
    session.add(
        Message(
            incident_id=incident.id,
            team_id=team,
            channel_id=channel,
            ts="1764427860.000200",
            user_id="U2",
            text=None,
            posted_at=NOW - timedelta(minutes=9),
            deleted_at=NOW - timedelta(minutes=5),
        )
    )
    session.flush()
    return incident.id


def count_changes(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(TimelineChange)) or 0)


def test_a_participant_stars_an_entry_once_however_often_they_ask(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        incident_id = seed(session)
        first = curation.star_entry(
            session, team_id="T1", incident_id=incident_id, entry_id=f"msg:{TS}", user_id="U2", now=NOW
        )
        again = curation.star_entry(
            session, team_id="T1", incident_id=incident_id, entry_id=TS, user_id="U1", now=NOW + timedelta(seconds=5)
        )
        assert (first.changed, first.curation.starred) == (True, True)
        assert (again.changed, again.change_id, again.curation.starred) == (False, None, True)
        assert count_changes(session) == 1
    with sessions() as session:
        curated = curation.curation_for(session, incident_id)
        assert list(curated) == [f"msg:{TS}"]
        assert curated[f"msg:{TS}"].starred


def test_a_correction_keeps_the_original_and_the_log_says_who_changed_what_and_when(
    sessions: sessionmaker[Session],
) -> None:
    entry = f"msg:{TS}"
    with sessions.begin() as session:
        incident_id = seed(session)
        fixed_at = NOW - timedelta(minutes=20)
        results = curation.correct_entry(
            session,
            team_id="T1",
            incident_id=incident_id,
            entry_id=entry,
            user_id="U1",
            now=NOW,
            text="  rolled back deploy 4512  ",
            at=fixed_at,
        )
        assert [r.action for r in results] == [ChangeAction.TEXT, ChangeAction.TIME]
        curation.hide_entry(
            session, team_id="T1", incident_id=incident_id, entry_id=entry, user_id="U2", now=NOW + timedelta(minutes=1)
        )
    with sessions() as session:
        assert session.scalar(select(Message.text).where(Message.ts == TS)) == "rolled back the deploy"
        curated = curation.curation_for(session, incident_id)[entry]
        assert (curated.text, curated.time, curated.hidden, curated.text_by) == (
            "rolled back deploy 4512",
            fixed_at,
            True,
            "U1",
        )
        log = curation.change_log(session, incident_id)
        assert [(c.action, c.user_id, c.made_at) for c in log] == [
            (ChangeAction.TEXT, "U1", NOW),
            (ChangeAction.TIME, "U1", NOW),
            (ChangeAction.HIDE, "U2", NOW + timedelta(minutes=1)),
        ]
        assert all(c.made_at.tzinfo is not None and c.made_at.utcoffset() == timedelta(0) for c in log)


def test_an_undo_takes_a_change_back_once_and_is_itself_in_the_log(sessions: sessionmaker[Session]) -> None:
    entry = f"msg:{TS}"
    with sessions.begin() as session:
        incident_id = seed(session)
        hid = curation.hide_entry(session, team_id="T1", incident_id=incident_id, entry_id=entry, user_id="U2", now=NOW)
        assert hid.change_id is not None
        undone = curation.undo_change(
            session, team_id="T1", incident_id=incident_id, change_id=hid.change_id, user_id="U1", now=NOW
        )
        twice = curation.undo_change(
            session, team_id="T1", incident_id=incident_id, change_id=hid.change_id, user_id="U1", now=NOW
        )
        assert (undone.changed, undone.curation.hidden) == (True, False)
        assert (twice.changed, twice.curation.hidden) == (False, False)
        assert undone.change_id is not None
        redo = curation.undo_change(
            session, team_id="T1", incident_id=incident_id, change_id=undone.change_id, user_id="U2", now=NOW
        )
        assert redo.curation.hidden is True
    with sessions() as session:
        log = curation.change_log(session, incident_id)
        assert [(c.action, c.in_effect) for c in log] == [
            (ChangeAction.HIDE, True),
            (ChangeAction.UNDO, False),
            (ChangeAction.UNDO, True),
        ]


def test_someone_who_took_no_part_may_not_curate_and_nothing_is_written(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        incident_id = seed(session)
        with pytest.raises(CurationRefused, match="took part"):
            curation.star_entry(session, team_id="T1", incident_id=incident_id, entry_id=TS, user_id="U9", now=NOW)
        assert count_changes(session) == 0


def test_another_workspaces_incident_reads_as_no_such_incident(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        incident_id = seed(session, team="T2")
        with pytest.raises(CurationRefused, match=f"no incident #{incident_id} in this workspace"):
            curation.hide_entry(session, team_id="T1", incident_id=incident_id, entry_id=TS, user_id="U1", now=NOW)
        with pytest.raises(CurationRefused, match="no incident"):
            curation.undo_change(session, team_id="T1", incident_id=incident_id, change_id=1, user_id="U1", now=NOW)


@pytest.mark.parametrize(
    ("entry", "refusal"),
    [
        ("msg:1764420000.000001", "not in this incident's record"),
        ("note:77", "no note note:77"),
        ("phase:detected", "marking it again"),
        ("https://acme.slack.com/archives/C9/p1764427800000100", "another channel"),
        ("yesterday", "couldn't tell which entry"),
    ],
)
def test_an_entry_that_is_not_there_or_not_curatable_is_refused_plainly(
    sessions: sessionmaker[Session], entry: str, refusal: str
) -> None:
    with sessions.begin() as session:
        incident_id = seed(session)
        with pytest.raises(CurationRefused, match=refusal):
            curation.star_entry(session, team_id="T1", incident_id=incident_id, entry_id=entry, user_id="U1", now=NOW)
        assert count_changes(session) == 0


def test_a_message_deleted_in_slack_cannot_be_starred_or_corrected_back(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        incident_id = seed(session)
        for call in (
            lambda: curation.star_entry(
                session, team_id="T1", incident_id=incident_id, entry_id="1764427860.000200", user_id="U1", now=NOW
            ),
            lambda: curation.correct_entry(
                session,
                team_id="T1",
                incident_id=incident_id,
                entry_id="1764427860.000200",
                user_id="U1",
                now=NOW,
                text="what it said",
            ),
        ):
            with pytest.raises(CurationRefused, match="deleted in Slack"):
                call()
        assert count_changes(session) == 0


def test_a_note_is_curated_by_its_entry_id(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        incident_id = seed(session)
        note = repo.add_entry(
            session, incident_id=incident_id, kind="note", text="paged payments", user_id="U1", at=NOW
        )
        result = curation.correct_entry(
            session,
            team_id="T1",
            incident_id=incident_id,
            entry_id=f"note:{note.id}",
            user_id="U1",
            now=NOW,
            text="paged the payments on-call",
        )
        assert result[0].curation.text == "paged the payments on-call"
        with pytest.raises(CurationRefused, match="future"):
            curation.correct_entry(
                session,
                team_id="T1",
                incident_id=incident_id,
                entry_id=f"note:{note.id}",
                user_id="U1",
                now=NOW,
                at=NOW + timedelta(minutes=1),
            )


def test_two_writers_on_one_entry_cannot_append_on_the_same_state(sessions: sessionmaker[Session]) -> None:
    """The second append of number 1 does nothing; the unique (incident, entry, seq) decides."""
    with sessions.begin() as session:
        incident_id = seed(session)
        won = store.append_change(
            session,
            incident_id=incident_id,
            entry_id=f"msg:{TS}",
            seq=1,
            action=ChangeAction.STAR,
            user_id="U1",
            now=NOW,
        )
        lost = store.append_change(
            session,
            incident_id=incident_id,
            entry_id=f"msg:{TS}",
            seq=1,
            action=ChangeAction.HIDE,
            user_id="U2",
            now=NOW,
        )
        assert won is not None
        assert lost is None
        after = curation.hide_entry(session, team_id="T1", incident_id=incident_id, entry_id=TS, user_id="U2", now=NOW)
        assert after.changed
        assert after.curation.starred
        assert after.curation.hidden


def test_a_correction_refused_in_part_writes_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        incident_id = seed(session)
        with pytest.raises(CurationRefused, match="future"):
            curation.correct_entry(
                session,
                team_id="T1",
                incident_id=incident_id,
                entry_id=TS,
                user_id="U1",
                now=NOW,
                text="a fine text",
                at=NOW + timedelta(hours=1),
            )
        assert count_changes(session) == 0
