"""The status update form, the reminder's buttons (Post update, Snooze 30 min), and the
catch-up for whoever joins an incident channel."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core.grammar import CommandError
from bot.services import catchup, outbox, repeats, status_updates
from bot.services.errors import UserFacingError
from bot.slack.after_answer import drain
from bot.slack.catchup_text import catchup_text
from bot.slack.delivery import deliver_owed_posts
from bot.slack.deps import Deps
from bot.slack.payloads import team_of
from bot.slack.running_text import (
    POST_UPDATE,
    SNOOZE,
    STATUS_BLOCK,
    UPDATE_VIEW,
    FormError,
    snoozed_text,
    update_modal,
    update_values,
)
from bot.slack.status_posts import queue_update

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def update_from_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        """Record the update (once per form, by its view id) and close the form."""
        user = body.get("user") or {}
        user_id, name = user.get("id", ""), user.get("name") or user.get("username")
        team_id = team_of(body, context)
        channel_id = str(view.get("private_metadata") or "")
        try:
            fields = update_values(view)
            view_id = str(view.get("id") or "")
            with deps.sessions.begin() as session:
                if not view_id or repeats.claim_view(session, team_id=team_id, view_id=view_id, now=deps.clock()):
                    queue_update(
                        deps,
                        session,
                        team_id=team_id,
                        channel_id=channel_id,
                        fields=fields,
                        user_id=user_id,
                        name_hint=str(name) if name else None,
                    )
        except FormError as error:
            ack(response_action="errors", errors={error.block: str(error)})
            return
        except (CommandError, UserFacingError) as error:
            ack(response_action="errors", errors={STATUS_BLOCK: str(error)})
            return
        ack()

    def after_the_answer(body: dict[str, Any], context: dict[str, Any], client: WebClient) -> None:
        drain(deps, client, team_of(body, context))

    app.view(UPDATE_VIEW)(ack=update_from_form, lazy=[after_the_answer])

    @app.action(POST_UPDATE)
    def post_update_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any], client: WebClient
    ) -> None:
        """``views.open`` is the one Web API call an answer may make: its trigger id expires in 3 s."""
        ack()
        team_id = team_of(body, context)
        try:
            with deps.sessions() as session:
                incident = status_updates.incident_by_id(session, team_id=team_id, incident_id=int(action["value"]))
                channel_id = incident.channel_id
        except (UserFacingError, ValueError):
            log.info("Post update clicked for an unknown incident %r", action.get("value"))
            return
        client.views_open(trigger_id=body["trigger_id"], view=update_modal(channel_id))

    def snooze_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]) -> None:
        ack()
        team_id, user_id = team_of(body, context), (body.get("user") or {}).get("id", "")
        try:
            with deps.sessions.begin() as session:
                status_updates.snooze(
                    session, team_id=team_id, incident_id=int(action["value"]), user_id=user_id, now=deps.clock()
                )
        except (UserFacingError, ValueError):
            log.info("Snooze clicked for an unknown incident %r", action.get("value"))
            return

    def say_snoozed(body: dict[str, Any], respond: Respond, context: dict[str, Any]) -> None:
        """After the answer: the reminder says it was snoozed, and by whom (its buttons go)."""
        if not body.get("response_url"):
            return
        with deps.sessions() as session:
            snooze = status_updates.current_snooze(session, incident_id=int(body["actions"][0]["value"]))
        if snooze is not None:
            respond(text=snoozed_text(snooze.until, snooze.snoozed_by), replace_original=True)

    app.action(SNOOZE)(ack=snooze_clicked, lazy=[say_snoozed])

    def joined(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        """Someone joined an incident channel: owe them the catch-up by DM, once per incident
        (the outbox key), stored before the event is acknowledged."""
        user, channel = event.get("user") or "", event.get("channel") or ""
        if not user or not channel or user == context.get("bot_user_id"):
            return
        team_id = team_of(body, context)
        with deps.sessions.begin() as session:
            incident = catchup.open_incident_of(session, team_id=team_id, channel_id=channel)
            if incident is None or incident.started_by == user:
                return
            summary = catchup.catchup_of(session, incident)
            outbox.enqueue(
                session,
                team_id=team_id,
                key=f"catchup:{incident.id}:{user}",
                kind="dm",
                channel=user,
                payload={"text": catchup_text(summary, public_url=deps.settings.public_url)},
                now=deps.clock(),
            )

    def send_the_catchup(body: dict[str, Any], context: dict[str, Any], client: WebClient) -> None:
        deliver_owed_posts(deps, client, team_of(body, context))

    app.event("member_joined_channel")(ack=joined, lazy=[send_the_catchup])
