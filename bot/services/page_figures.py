"""The follow-up and insights pages' figures, over the incidents the person may read: the
weekly review's (bot/core/review.py) and the insights' (bot/core/insights.py), computed by the
same rules from the same facts, only without the incidents of channels they cannot read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.insights import Insights, build_insights
from bot.core.review import Review, build_review
from bot.core.stats import DEFAULT_WINDOW
from bot.core.updates import CadenceGroup, cadence, cadence_by_severity, target_for
from bot.services.actions import review_item
from bot.services.error_budgets import team_budgets
from bot.services.followup import review_incident
from bot.services.insights import insight_incident
from storage import followup_queries
from storage import page_queries as q
from storage import running as running_repo


@dataclass(frozen=True)
class FollowUp:
    review: Review
    incident_ids: dict[str, int]
    """Channel → the incident to link to (its latest)."""


def follow_up(session: Session, *, team_id: str, user_id: str, now: datetime) -> FollowUp:
    """The weekly review's figures and open items, over the incidents this person may read."""
    visible = q.readable_incident_keys(session, team_id=team_id, user_id=user_id)
    facts = [f for f in followup_queries.incident_facts(session, team_id) if f.id in visible]
    rows = followup_queries.team_items(session, team_id, closed_since=now - DEFAULT_WINDOW - timedelta(days=1))
    rows = [r for r in rows if r.incident_id in visible]
    budgets = team_budgets(session, team_id, now=now, facts=facts)
    review = build_review((review_item(r) for r in rows), (review_incident(f) for f in facts), budgets, now=now)
    return FollowUp(review, {f.channel_id: f.id for f in sorted(facts, key=lambda f: f.id)})


def insights(session: Session, *, team_id: str, user_id: str, now: datetime, weeks: int = 12) -> Insights:
    """The insights figures (bot/services/insights.py) over the incidents this person may read,
    for incidents begun in the last ``weeks`` ISO weeks."""
    visible = q.readable_incident_keys(session, team_id=team_id, user_id=user_id)
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    since = monday - timedelta(weeks=weeks - 1)
    facts = [f for f in followup_queries.incident_facts(session, team_id) if f.id in visible]
    rows = [r for r in followup_queries.team_items(session, team_id, closed_since=since) if r.incident_id in visible]
    budgets = team_budgets(session, team_id, now=now, facts=facts)
    return build_insights(
        (insight_incident(f) for f in facts), (review_item(r) for r in rows), budgets, now=now, since=since
    )


def update_cadence(
    session: Session, *, team_id: str, user_id: str, now: datetime, every: Mapping[str, timedelta], weeks: int = 12
) -> list[CadenceGroup]:
    """How status updates kept their cadence, by severity, over the incidents this person may
    read begun in the last ``weeks`` ISO weeks (an unresolved incident is measured until now)."""
    visible = q.readable_incident_keys(session, team_id=team_id, user_id=user_id)
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    since = monday - timedelta(weeks=weeks - 1)
    measured = [
        (
            f.severity,
            cadence(
                f.update_times,
                started_at=f.started_at,
                until=f.resolved_at or now,
                target=target_for(every, f.severity),
            ),
        )
        for f in running_repo.cadence_facts(session, team_id=team_id, since=since)
        if f.id in visible
    ]
    return cadence_by_severity(measured, every=every)
