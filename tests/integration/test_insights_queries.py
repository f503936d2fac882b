"""The insights figures read from the database: one workspace's incidents, items and SLOs only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.core.insights import CauseCategory, Count
from bot.services.insights import insights_for
from storage import actions as action_repo
from storage import incidents as repo
from storage import slos

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DETECTED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def add_incident(
    session: Session, *, team: str, channel: str, service: str | None, cause: str | None, minutes: int
) -> int:
    incident = repo.create_incident(
        session, team_id=team, channel_id=channel, title="t", severity="sev2", started_by="U1", started_at=DETECTED
    )
    assert incident is not None
    incident.service = service
    for phase, after in (
        ("detected", 0),
        ("acknowledged", minutes // 4),
        ("mitigated", minutes // 2),
        ("resolved", minutes),
    ):
        repo.set_phase_mark(
            session,
            incident_id=incident.id,
            phase=phase,
            at=DETECTED + timedelta(minutes=after),
            note=None,
            user_id="U1",
            now=NOW,
        )
    if cause:
        repo.add_entry(session, incident_id=incident.id, kind="cause", text=cause, user_id="U1", at=DETECTED)
    return incident.id


def test_a_workspaces_insights_count_only_its_own_incidents_items_and_budgets(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first = add_incident(session, team="T1", channel="C1", service="checkout", cause="config: bad flag", minutes=40)
        add_incident(session, team="T1", channel="C2", service="checkout", cause="Config: typo", minutes=80)
        add_incident(session, team="T1", channel="C3", service="search", cause=None, minutes=20)
        add_incident(session, team="T2", channel="C9", service="elsewhere", cause="config", minutes=999)
        item = action_repo.add_item(
            session,
            team_id="T1",
            incident_id=first,
            owner_id="U1",
            due=date(2026, 11, 26),
            text="fix the flag",
            created_by="U1",
            now=DETECTED,
        )
        item.status, item.closed_at = "done", datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
        slos.set_slo(session, team_id="T1", name="checkout", target_percent=99.9, window_seconds=28 * 86400, now=NOW)
        slos.set_slo(session, team_id="T2", name="elsewhere", target_percent=99.9, window_seconds=28 * 86400, now=NOW)
    with sessions() as session:
        figures = insights_for(session, "T1", now=NOW, weeks=2)
    assert figures.since == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert [week.group for week in figures.by_week] == ["2026-W48", "2026-W49"]
    week = figures.by_week[0]
    assert (week.incidents, week.resolve.median, week.resolve.p90) == (3, timedelta(minutes=40), timedelta(minutes=80))
    assert figures.incidents_per_service == (Count("checkout", 2), Count("search", 1))
    assert [b.service for b in figures.budgets] == ["checkout"]
    assert figures.budgets[0].spent_seconds == 40 * 60  # the two overlap from detection: counted once
    assert (figures.close_rate.on_time, figures.close_rate.considered) == (1, 1)
    assert figures.cause_categories == (CauseCategory("config", 2, True),)
    assert figures.uncategorised == 1
