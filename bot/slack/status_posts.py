"""Queue a status update's posts (the incident channel, the stakeholders' channel) and a role's
duties DM in the transaction that records them: the outbox sends each once, after the answer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.core.updates import UpdateFields, parse_update_every, target_for
from bot.services import outbox, status_updates, workspace_channels
from bot.services.roles import Assigned
from bot.services.status_updates import Posted
from bot.slack.deps import Deps
from bot.slack.oauth import serves_one_workspace
from bot.slack.running_text import duties_dm, stakeholder_post, update_post


@dataclass(frozen=True)
class Queued:
    posted: Posted
    stakeholders: str | None
    """The stakeholders' channel that also gets it, if any."""


def queue_update(
    deps: Deps,
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    fields: UpdateFields,
    user_id: str,
    name_hint: str | None = None,
) -> Queued:
    now = deps.clock()
    posted = status_updates.post_update(
        session, team_id=team_id, channel_id=channel_id, fields=fields, user_id=user_id, now=now, name_hint=name_hint
    )
    commander = posted.commander
    outbox.enqueue(
        session,
        team_id=team_id,
        key=f"update:{posted.update_id}:channel",
        kind="message",
        channel=channel_id,
        payload=update_post(posted, fields, user_id=user_id, commander=commander),
        now=now,
    )
    stakeholders = workspace_channels.channel_for(
        session,
        deps.settings,
        team_id=team_id,
        purpose="stakeholders",
        one_workspace=serves_one_workspace(deps.settings),
    )
    if stakeholders == channel_id:
        stakeholders = None
    if stakeholders:
        outbox.enqueue(
            session,
            team_id=team_id,
            key=f"update:{posted.update_id}:stakeholders",
            kind="message",
            channel=stakeholders,
            payload=stakeholder_post(
                posted, fields, user_id=user_id, commander=commander, public_url=deps.settings.public_url
            ),
            now=now,
        )
    return Queued(posted, stakeholders)


def queue_duties(deps: Deps, session: Session, *, team_id: str, channel_id: str, assigned: Assigned) -> None:
    """The role's duties, by DM to its new holder."""
    every = target_for(parse_update_every(deps.settings.update_every), assigned.severity)
    outbox.enqueue(
        session,
        team_id=team_id,
        key=f"role:{assigned.assignment_id}:duties",
        kind="dm",
        channel=assigned.user_id,
        payload=duties_dm(
            template_path=deps.settings.role_template,
            role=assigned.role,
            user_id=assigned.user_id,
            previous=assigned.previous,
            title=assigned.title,
            severity=assigned.severity,
            channel_id=channel_id,
            every=every,
        ),
        now=deps.clock(),
    )
