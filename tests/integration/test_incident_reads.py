"""Which of a channel's incidents each read picks: the open one, else the most recent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage import incidents as repo
from storage.models import Incident

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def create(session: Session, title: str, *, channel: str = "C1") -> int | None:
    created = repo.create_incident(
        session, team_id="T1", channel_id=channel, title=title, severity=None, started_by="U1", started_at=NOW
    )
    return created.id if created else None


def close(session: Session, incident_id: int, minutes: int) -> None:
    incident = session.get(Incident, incident_id)
    assert incident is not None
    incident.closed_at, incident.closed_by = NOW + timedelta(minutes=minutes), "U1"
    session.flush()


def picked(session: Session) -> tuple[int | None, int | None, int | None]:
    found, by_channel = repo.find_incident(session, "T1", "C1"), repo.find_incident_by_channel(session, "C1")
    return (
        found.id if found else None,
        by_channel.id if by_channel else None,
        repo.incident_id_for_channel(session, "T1", "C1"),
    )


def test_a_channel_holds_one_open_incident_and_reads_pick_it_else_the_most_recent(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        first = create(session, "Checkout errors")
        assert first is not None
        assert create(session, "Again") is None  # the open one stands
        close(session, first, 10)
        assert picked(session) == (first, first, first)
        assert repo.open_incident(session, "T1", "C1") is None

        second = create(session, "Payments")
        assert second is not None
        assert second != first
        assert picked(session) == (second, second, second)
        close(session, second, 20)
        assert picked(session) == (second, second, second)
        last = repo.last_closed_incident(session, "T1", "C1")
        assert last is not None
        assert last.id == second
        assert repo.last_closed_at(session, "T1", "C1") == NOW + timedelta(minutes=20)
        assert create(session, "Elsewhere", channel="C2") is not None
