"""Modal submissions: the ``/incident declare`` form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core.commands import MAX_TITLE_CHARS, CommandError, StartArgs, check_text
from bot.services.errors import UserFacingError
from bot.slack.declaring import MODAL_CALLBACK, TITLE_BLOCK, declare_incident, modal_values
from bot.slack.deps import Deps
from bot.slack.parse import team_of


def register(app: App, deps: Deps) -> None:
    @app.view(MODAL_CALLBACK)
    def declare_from_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any], client: WebClient) -> None:
        title, severity = modal_values(view)
        user_id = (body.get("user") or {}).get("id", "")
        try:
            args = _start_args(title, severity)
            declare_incident(deps, client, team_id=team_of(body, context), user_id=user_id, args=args, now=deps.clock())
        except (CommandError, UserFacingError) as error:
            ack(response_action="errors", errors={TITLE_BLOCK: str(error)})
            return
        ack()


def _start_args(title: str, severity: str | None) -> StartArgs:
    title = " ".join(check_text(title, what="title", limit=MAX_TITLE_CHARS).split())
    if not title:
        raise CommandError("Give the incident a title, for example “Checkout errors in eu-west”.")
    return StartArgs(severity=severity, title=title)
