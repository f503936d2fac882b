"""The follow-up jobs' use cases: DM nudges to owners, the weekly review, workspace stats.

Each nudge goes out at most once, whatever happens:
- a scheduler pass claims the nudges it found due by inserting (item, key) rows into
  ``action_nudges`` (unique; ON CONFLICT DO NOTHING) and, in the same transaction, the outbox rows
  of the claims it won (outbox key ``nudge:<item>:<key>``, unique per workspace too). A rerun,
  or a second scheduler process racing it, finds the keys taken and queues nothing;
- the outbox then claims each row before sending it (pending → sending) and, after a crash
  between sending and recording, checks Slack for the message (it carries its key in metadata)
  instead of sending it again.
The weekly review is one outbox row per workspace and ISO week (``review:<year>-W<week>``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.core.nudges import NudgeItem, NudgeKind, NudgePolicy, due_nudges
from bot.core.record import ItemWithIncident
from bot.core.review import Review, ReviewSchedule, build_review
from bot.core.stats import DEFAULT_WINDOW, ReviewIncident
from bot.services.actions import review_item
from bot.services.error_budgets import team_budgets
from bot.services.people import CACHE_FOR
from bot.settings import Settings
from storage import followup_queries as repo
from storage import outbox as outbox_repo
from storage import people
from storage.followup_queries import IncidentFacts
from storage.outbox import Post

ZONE_REFRESH_LIMIT = 50


def policy_from(settings: Settings) -> NudgePolicy:
    start, end = settings.work_hours
    return NudgePolicy(
        days_before=settings.nudge_days_before,
        overdue_every_days=settings.nudge_overdue_every_days,
        send_hour=settings.nudge_hour,
        work_start_hour=start,
        work_end_hour=end,
        weekdays_only=not settings.nudge_weekends,
        escalate_after_overdue=settings.escalate_after_overdue or None,
    )


@dataclass(frozen=True)
class Nudge:
    kind: NudgeKind
    key: str
    item: ItemWithIncident
    local_date: date
    """The owner's local date when the nudge was found due."""

    @property
    def days_overdue(self) -> int:
        return max(0, (self.local_date - self.item.due).days) if self.item.due else 0

    @property
    def outbox_key(self) -> str:
        return f"nudge:{self.item.id}:{self.key}"


Render = Callable[[Nudge], dict[str, Any]]


def refresh_owner_zones(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    fetch: Callable[[str, str], tuple[str | None, str | None]],
    limit: int = ZONE_REFRESH_LIMIT,
) -> int:
    """Fetch the zone of owners never seen or not seen for a while: nudges follow their clock.

    ``fetch(team_id, user_id)`` returns (name, tz). A failure keeps the cached zone (or UTC)."""
    with sessions() as session:
        stale = repo.owners_missing_zone(session, fetched_before=now - CACHE_FOR, limit=limit)
    refreshed = 0
    for team_id, user_id in stale:
        try:
            name, tz = fetch(team_id, user_id)
        except Exception:  # noqa: BLE001 (documented above: a failed look-up keeps the cached zone)
            continue
        with sessions.begin() as session:
            people.remember_user(session, team_id=team_id, user_id=user_id, name=name, tz=tz, now=now)
        refreshed += 1
    return refreshed


def queue_due_nudges(
    sessions: sessionmaker[Session], *, now: datetime, policy: NudgePolicy, render_dm: Render, render_escalation: Render
) -> list[Nudge]:
    """Claim and queue every nudge due at ``now``; returns the ones this pass won.

    A constant number of statements, whatever the number of items: load open items, load sent
    keys, claim (one executemany), read the claims won, queue the posts (one executemany)."""
    run_id = str(uuid.uuid4())
    with sessions.begin() as session:
        rows = repo.open_items_to_nudge(session)
        sent = repo.sent_nudge_keys(session)
        by_id = {row.id: row for row in rows}
        items = [
            NudgeItem(
                row.id, row.owner_id or "", row.due, row.owner_tz or "", row.status, sent.get(row.id, frozenset())
            )
            for row in rows
            if row.due is not None
        ]
        found = due_nudges(items, now=now, policy=policy)
        won = set(
            repo.claim_nudges(
                session, ((by_id[n.item_id].team_id, n.item_id, n.key, n.kind) for n in found), run_id=run_id, now=now
            )
        )
        nudges = [Nudge(n.kind, n.key, by_id[n.item_id], n.local_date) for n in found if (n.item_id, n.key) in won]
        posts = [
            Post(n.item.team_id, n.outbox_key, "message", n.item.channel_id, render_escalation(n))
            if n.kind == "escalate"
            else Post(n.item.team_id, n.outbox_key, "dm", n.item.owner_id or "", render_dm(n))
            for n in nudges
        ]
        outbox_repo.enqueue_many(session, posts, now=now)
    return nudges


def build_team_review(session: Session, team_id: str, *, now: datetime) -> Review:
    facts = repo.incident_facts(session, team_id)
    items = repo.team_items(session, team_id, closed_since=now - DEFAULT_WINDOW - timedelta(days=1))
    budgets = team_budgets(session, team_id, now=now, facts=facts)
    return build_review((review_item(row) for row in items), (review_incident(f) for f in facts), budgets, now=now)


def queue_weekly_reviews(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    channel_for: Callable[[Session, str], str | None],
    schedule: ReviewSchedule,
    render: Callable[[Review], dict[str, Any]],
) -> list[str]:
    """Queue this week's review for every workspace that has incidents and a review channel,
    each in its own channel, unless it is queued already; returns the workspaces queued. A
    missed Monday catches up later in the week."""
    key = schedule.key(now)
    with sessions() as session:
        teams = repo.teams_with_incidents(session)
    queued = []
    for team_id in teams:
        with sessions.begin() as session:
            channel = channel_for(session, team_id)
            if channel is None or outbox_repo.by_key(session, team_id=team_id, key=key) is not None:
                continue
            review = build_team_review(session, team_id, now=now)
            if outbox_repo.enqueue(
                session, team_id=team_id, key=key, kind="message", channel=channel, payload=render(review), now=now
            ):
                queued.append(team_id)
    return queued


def review_incident(facts: IncidentFacts) -> ReviewIncident:
    phases = facts.phases
    return ReviewIncident(
        channel=facts.channel_id,
        title=facts.title,
        service=facts.service,
        severity=facts.severity,
        detected=phases.get("detected"),
        acknowledged=phases.get("acknowledged"),
        mitigated=phases.get("mitigated"),
        resolved=phases.get("resolved"),
        root_cause_category=cause_category(facts.first_cause),
        action_item_count=facts.item_count,
        items_missing_owner_or_due=facts.items_missing_owner_or_due,
    )


def cause_category(cause: str | None) -> str | None:
    """The root-cause category of an incident: its first ``cause`` entry up to a colon
    (``config: flag flipped in prod`` → ``config``), or the whole entry."""
    if not cause:
        return None
    head, colon, _ = cause.partition(":")
    category = head if colon and head.strip() else cause
    return " ".join(category.split())[:80] or None
