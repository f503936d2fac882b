"""Modal submissions: the ``/incident declare`` form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core.grammar import MAX_TITLE_CHARS, CommandError, StartArgs, check_text
from bot.core.repeats import view_key
from bot.services import repeats
from bot.services.errors import UserFacingError
from bot.slack.after_answer import drain, new_key
from bot.slack.declaring import MODAL_CALLBACK, TITLE_BLOCK, accept_declare, modal_values
from bot.slack.deps import Deps
from bot.slack.payloads import team_of
from bot.slack.safe_text import safe_plain_text


def register(app: App, deps: Deps) -> None:
    def declare_from_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        """Accept the declaration (once per form, by its view id) and close the form."""
        title, severity = modal_values(view)
        user_id = (body.get("user") or {}).get("id", "")
        team_id, now = team_of(body, context), deps.clock()
        try:
            args = _start_args(title, severity)
            view_id = str(view.get("id") or "")
            with deps.sessions.begin() as session:
                if not view_id or repeats.claim_view(session, team_id=team_id, view_id=view_id, now=now):
                    accept_declare(
                        session,
                        team_id=team_id,
                        user_id=user_id,
                        args=args,
                        now=now,
                        key=f"declare:{view_key(view_id)}" if view_id else new_key("declare"),
                        response_url=None,
                        origin_channel=view.get("private_metadata") or None,
                    )
        except (CommandError, UserFacingError) as error:
            ack(response_action="errors", errors={TITLE_BLOCK: safe_plain_text(str(error))})
            return
        ack()

    def declare_after_the_answer(body: dict[str, Any], context: dict[str, Any], client: WebClient) -> None:
        drain(deps, client, team_of(body, context))

    app.view(MODAL_CALLBACK)(ack=declare_from_form, lazy=[declare_after_the_answer])


def _start_args(title: str, severity: str | None) -> StartArgs:
    title = " ".join(check_text(title, what="title", limit=MAX_TITLE_CHARS).split())
    if not title:
        raise CommandError("Give the incident a title, for example “Checkout errors in eu-west”.")
    return StartArgs(severity=severity, title=title)
