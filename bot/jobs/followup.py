"""Scheduled follow-up: DM nudges to action-item owners, and the weekly review.

Both work out what is due from the database at ``now``, then deliver through the outbox, so
``scribe jobs run --now ISO`` sends what is due at that instant and a rerun sends nothing new.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.review import ReviewSchedule
from bot.jobs.owed import deliver_outbox
from bot.services import followup, workspace_channels
from bot.slack import action_blocks as blocks
from bot.slack.client import name_and_zone
from bot.slack.deps import Deps
from bot.slack.oauth import clients, serves_one_workspace

log = logging.getLogger(__name__)


def send_nudges(deps: Deps, client: WebClient, now: datetime) -> None:
    client_for = clients(deps, client)

    def fetch(team_id: str, user_id: str) -> tuple[str | None, str | None]:
        return name_and_zone(client_for(team_id), user_id)

    followup.refresh_owner_zones(deps.sessions, now=now, fetch=fetch)
    nudges = followup.queue_due_nudges(
        deps.sessions,
        now=now,
        policy=followup.policy_from(deps.settings),
        render_dm=blocks.nudge_dm,
        render_escalation=blocks.escalation_post,
    )
    if nudges:
        log.info("nudges: queued %d", len(nudges))
        deliver_outbox(deps, client, now)


def send_weekly_review(deps: Deps, client: WebClient, now: datetime) -> None:
    one_workspace = serves_one_workspace(deps.settings)

    def channel_for(session: Session, team_id: str) -> str | None:
        return workspace_channels.channel_for(
            session, deps.settings, team_id=team_id, purpose="review", one_workspace=one_workspace
        )

    schedule = ReviewSchedule.parse(deps.settings.review_at)
    queued = followup.queue_weekly_reviews(
        deps.sessions, now=now, channel_for=channel_for, schedule=schedule, render=blocks.review_post
    )
    if queued:
        log.info("weekly review queued for %s", ", ".join(queued))
        deliver_outbox(deps, client, now)
