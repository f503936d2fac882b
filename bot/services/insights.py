"""The insights figures of one workspace (bot/core/insights.py), read from the database.

A constant number of queries, whatever the number of incidents: the incident facts the weekly
review reads (four queries), the action items open or closed in the period, and the SLOs.
Nothing of another workspace is read. The root-cause category is the one the weekly review
uses: the first ``/incident cause`` of an incident up to a colon (``config: …`` → ``config``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.insights import InsightIncident, Insights, build_insights
from bot.services.actions import review_item
from bot.services.error_budgets import team_budgets
from bot.services.followup import cause_category
from storage import followup_queries as repo
from storage.followup_queries import IncidentFacts

DEFAULT_WEEKS = 12


def insight_incident(facts: IncidentFacts) -> InsightIncident:
    phases = facts.phases
    return InsightIncident(
        id=facts.id,
        service=facts.service,
        severity=facts.severity,
        started_at=facts.started_at,
        detected=phases.get("detected"),
        acknowledged=phases.get("acknowledged"),
        mitigated=phases.get("mitigated"),
        resolved=phases.get("resolved"),
        root_cause_category=cause_category(facts.first_cause),
    )


def insights_for(
    session: Session, team_id: str, *, now: datetime, weeks: int = DEFAULT_WEEKS, since: datetime | None = None
) -> Insights:
    """The workspace's figures for incidents that began in the last ``weeks`` ISO weeks (the
    current one included), or since ``since`` when given; ``now`` is aware UTC. Action items
    are those open now or closed since ``since`` (an item closed before the period began, even
    if due within it, is not counted)."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    if since is None:
        monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        since = monday - timedelta(weeks=weeks - 1)
    facts = repo.incident_facts(session, team_id)
    items = repo.team_items(session, team_id, closed_since=since)
    budgets = team_budgets(session, team_id, now=now, facts=facts)
    return build_insights(
        (insight_incident(f) for f in facts), (review_item(row) for row in items), budgets, now=now, since=since
    )
