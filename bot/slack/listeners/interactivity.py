"""Action-item buttons, their modals, the ``/incident action`` form and the App Home tab.

Registered before the events module, whose catch-all event listener would otherwise take
``app_home_opened``: Bolt runs the first listener that matches.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.grammar import CommandError
from bot.services import actions, deferred, outbox, repeats, tickets
from bot.services.deferred import Work
from bot.services.errors import UserFacingError
from bot.services.people import known_zone, user_zone
from bot.slack import action_blocks as blocks
from bot.slack.after_answer import drain, new_key, tries, warm_people, work_kind
from bot.slack.client import name_and_zone
from bot.slack.deps import Deps
from bot.slack.payloads import team_of
from bot.slack.safe_text import safe_mrkdwn, safe_plain_text, user_mention

log = logging.getLogger(__name__)

EARLIEST_ZONE = timezone(timedelta(hours=-12))
"""Where the date is earliest on Earth (UTC-12)."""


def _item_id(value: object) -> int:
    """The action item a button or a modal names (its value, or the modal's metadata, as the app
    wrote it); anything else is refused as a person's mistake would be, never a server error."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    raise UserFacingError("That button or form names no action item. Open the item again from its message.")


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's ``private_metadata`` as the app wrote it (JSON); anything else reads as empty."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def register(app: App, deps: Deps) -> None:
    def today_of(team_id: str, user_id: str, now: datetime) -> date:
        """Today where the person is, from the zone cache. Not cached yet (their zone is looked up
        after this answer): the earliest date it is anywhere, so a date that is still today for
        them is never refused as past."""
        zone = known_zone(deps.sessions, team_id=team_id, user_id=user_id)
        return now.astimezone(zone or EARLIEST_ZONE).date()

    def after_the_answer(body: dict[str, Any], context: dict[str, Any], client: WebClient) -> None:
        """After the answer: learn the clicker's zone, refresh where the button was, send the DMs."""
        team_id = team_of(body, context)
        warm_people(deps, client, team_id, [(body.get("user") or {}).get("id", "")])
        drain(deps, client, team_id)

    def origin_of(body: dict[str, Any]) -> dict[str, Any]:
        container = body.get("container") or {}
        if container.get("type") == "view" or (body.get("view") or {}).get("type") == "home":
            return {"home": True}
        return {"channel": container.get("channel_id"), "ts": container.get("message_ts")}

    def refuse(respond: Respond, body: dict[str, Any], error: Exception) -> None:
        if body.get("response_url"):
            respond(
                text=f":warning: {safe_mrkdwn(str(error), people=True)}",
                response_type="ephemeral",
                replace_original=False,
            )
        else:
            log.info("refused an action-item button: %s", error)

    def done_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        team_id, user_id, now = team_of(body, context), body["user"]["id"], deps.clock()
        try:
            with deps.sessions.begin() as session:
                change = actions.close_item(
                    session, team_id=team_id, item_id=_item_id(action.get("value")), user_id=user_id, now=now
                )
                text = (
                    f":white_check_mark: Marked done by {user_mention(user_id)}: *#{change.item.id}* "
                    f"{safe_mrkdwn(change.item.text)}"
                )
                accept_refresh(session, team_id=team_id, user_id=user_id, origin=origin_of(body), text=text, now=now)
        except UserFacingError as error:
            refuse(respond, body, error)

    def open_item_modal(
        kind: str,
        body: dict[str, Any],
        action: dict[str, Any],
        context: dict[str, Any],
        client: WebClient,
        respond: Respond,
    ) -> None:
        """``views.open`` is the one Web API call an answer may make: its trigger id expires in 3 s."""
        team_id, user_id = team_of(body, context), body["user"]["id"]
        try:
            with deps.sessions() as session:
                row = actions.item_for(session, team_id=team_id, item_id=_item_id(action.get("value")), user_id=user_id)
        except UserFacingError as error:
            refuse(respond, body, error)
            return
        view = blocks.move_due_modal(row) if kind == "due" else blocks.reassign_modal(row)
        metadata = json.loads(view["private_metadata"]) | origin_of(body)
        view["private_metadata"] = json.dumps(metadata)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(blocks.MOVE_DUE)
    def move_due_clicked(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        context: dict[str, Any],
        client: WebClient,
        respond: Respond,
    ) -> None:
        ack()
        open_item_modal("due", body, action, context, client, respond)

    @app.action(blocks.REASSIGN)
    def reassign_clicked(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        context: dict[str, Any],
        client: WebClient,
        respond: Respond,
    ) -> None:
        ack()
        open_item_modal("reassign", body, action, context, client, respond)

    def first_submission(session: Session, team_id: str, view: dict[str, Any], now: datetime) -> bool:
        """A form submitted again (a double click, Slack's retry) does nothing the second time."""
        view_id = str(view.get("id") or "")
        return not view_id or repeats.claim_view(session, team_id=team_id, view_id=view_id, now=now)

    def move_due_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        team_id, user_id, now = team_of(body, context), body["user"]["id"], deps.clock()
        metadata = _metadata(view)
        picked = _value(view, blocks.DUE_BLOCK, blocks.DUE_INPUT, "selected_date")
        try:
            due = _date(picked)
            with deps.sessions.begin() as session:
                if first_submission(session, team_id, view, now):
                    change = actions.move_due(
                        session,
                        team_id=team_id,
                        item_id=_item_id(metadata.get("item")),
                        due=due,
                        today=today_of(team_id, user_id, now),
                        user_id=user_id,
                        now=now,
                    )
                    note = f" (rollover {change.item.rollovers})" if change.rolled_over else ""
                    text = (
                        f":calendar: {user_mention(user_id)} moved *#{change.item.id}* "
                        f"{safe_mrkdwn(change.item.text)} to {due.isoformat()}{note}."
                    )
                    accept_refresh(session, team_id=team_id, user_id=user_id, origin=metadata, text=text, now=now)
        except UserFacingError as error:
            ack(response_action="errors", errors={blocks.DUE_BLOCK: safe_plain_text(str(error))})
            return
        ack()

    def reassign_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        team_id, user_id, now = team_of(body, context), body["user"]["id"], deps.clock()
        metadata = _metadata(view)
        owner = _value(view, blocks.OWNER_BLOCK, blocks.OWNER_INPUT, "selected_user")
        try:
            if not owner:
                raise UserFacingError("Pick the one person who will own it.")
            with deps.sessions.begin() as session:
                if first_submission(session, team_id, view, now):
                    change = actions.reassign_item(
                        session,
                        team_id=team_id,
                        item_id=_item_id(metadata.get("item")),
                        owner_id=owner,
                        user_id=user_id,
                        now=now,
                    )
                    if change.changed:
                        actions.queue_dm(
                            session,
                            team_id=team_id,
                            key=f"assign:{change.item.id}:{change.event_id}",
                            user_id=owner,
                            payload=blocks.assignment_dm(change.item, by=user_id, reassigned=True),
                            now=now,
                        )
                    text = (
                        f":arrows_counterclockwise: {user_mention(user_id)} reassigned *#{change.item.id}* "
                        f"{safe_mrkdwn(change.item.text)} to {user_mention(owner)}."
                    )
                    accept_refresh(session, team_id=team_id, user_id=user_id, origin=metadata, text=text, now=now)
        except UserFacingError as error:
            ack(response_action="errors", errors={blocks.OWNER_BLOCK: safe_plain_text(str(error))})
            return
        ack()

    def create_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        team_id, user_id, now = team_of(body, context), body["user"]["id"], deps.clock()
        channel = _metadata(view).get("channel", "")
        owner = _value(view, blocks.OWNER_BLOCK, blocks.OWNER_INPUT, "selected_user")
        picked = _value(view, blocks.DUE_BLOCK, blocks.DUE_INPUT, "selected_date")
        text = _value(view, blocks.TEXT_BLOCK, blocks.TEXT_INPUT, "value") or ""
        if not owner:
            ack(response_action="errors", errors={blocks.OWNER_BLOCK: "Pick the one person who will own it."})
            return
        try:
            due = _date(picked)
            with deps.sessions.begin() as session:
                if first_submission(session, team_id, view, now):
                    item = actions.create_item(
                        session,
                        team_id=team_id,
                        channel_id=channel,
                        owner_id=owner,
                        due=due,
                        today=today_of(team_id, user_id, now),
                        text=text,
                        user_id=user_id,
                        now=now,
                    )
                    actions.queue_dm(
                        session,
                        team_id=team_id,
                        key=f"assign:{item.id}:created",
                        user_id=owner,
                        payload=blocks.assignment_dm(item, by=user_id),
                        now=now,
                    )
                    tickets.file_new_item(session, settings=deps.settings, team_id=team_id, item_id=item.id, now=now)
                    outbox.enqueue(
                        session,
                        team_id=team_id,
                        key=f"created:{item.id}",
                        kind="message",
                        channel=channel,
                        now=now,
                        payload={
                            "text": f":memo: {user_mention(user_id)} added action item *#{item.id}* "
                            f"for {user_mention(owner)}, due "
                            f"{due.isoformat()}:\n> {safe_mrkdwn(item.text)}"
                        },
                    )
        except (UserFacingError, CommandError) as error:
            block = blocks.DUE_BLOCK if "date" in str(error) or "past" in str(error) else blocks.TEXT_BLOCK
            ack(response_action="errors", errors={block: safe_plain_text(str(error))})
            return
        ack()

    app.action(blocks.DONE)(ack=done_clicked, lazy=[after_the_answer])
    app.view(blocks.MOVE_DUE_VIEW)(ack=move_due_submitted, lazy=[after_the_answer])
    app.view(blocks.REASSIGN_VIEW)(ack=reassign_submitted, lazy=[after_the_answer])
    app.view(blocks.CREATE_VIEW)(ack=create_submitted, lazy=[after_the_answer])

    def home_answer(event: dict[str, Any]) -> None:
        """The event is acknowledged at once; the tab is published after the answer."""

    def publish_home_after_the_answer(
        event: dict[str, Any], body: dict[str, Any], context: dict[str, Any], client: WebClient
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(deps, client, team_of(body, context), event["user"])

    app.event("app_home_opened")(ack=home_answer, lazy=[publish_home_after_the_answer])


def accept_refresh(
    session: Session, *, team_id: str, user_id: str, origin: dict[str, Any], text: str, now: datetime
) -> None:
    """Owe showing the outcome where the button was (the DM without its buttons, or the Home tab)."""
    deferred.accept(
        session,
        team_id=team_id,
        key=new_key("refresh"),
        kind="refresh",
        payload={
            "user_id": user_id,
            "origin": {k: origin[k] for k in ("home", "channel", "ts") if k in origin},
            "text": text,
        },
        now=now,
    )


def _refresh_given_up(work: Work) -> str:
    return (
        f":warning: What you clicked was saved, but I gave up showing it where you clicked {tries(work)}: "
        "that message or your Home tab may look out of date until it changes again."
    )


@work_kind("refresh", given_up=_refresh_given_up)
def refresh_origin(deps: Deps, client: WebClient, work: Work) -> None:
    p = work.payload
    origin = p.get("origin") or {}
    if origin.get("channel") and origin.get("ts"):
        client.chat_update(
            channel=origin["channel"], ts=origin["ts"], text=p["text"], blocks=[blocks._section(p["text"])]
        )
    elif origin.get("home"):
        publish_home(deps, client, work.team_id, p["user_id"])


def publish_home(deps: Deps, client: WebClient, team_id: str, user_id: str) -> None:
    now = deps.clock()
    zone = user_zone(
        deps.sessions, team_id=team_id, user_id=user_id, now=now, fetch=lambda uid: name_and_zone(client, uid)
    )
    with deps.sessions() as session:
        home = actions.home_for(session, team_id=team_id, user_id=user_id, now=now)
    view = blocks.home_view(home, today=now.astimezone(zone).date(), public_url=deps.settings.public_url)
    client.views_publish(user_id=user_id, view=view)


def _value(view: dict[str, Any], block: str, action: str, key: str) -> Any:
    return ((view.get("state") or {}).get("values") or {}).get(block, {}).get(action, {}).get(key)


def _date(text: str | None) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        raise UserFacingError("Pick a due date.") from None
