"""Build the Bolt app: the only place that wires Slack to the use cases."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.slack import background
from bot.slack.client import build_client
from bot.slack.deps import Deps
from bot.slack.listeners import commands, events, interactivity, views
from bot.slack.oauth import engine_of, install_mode, oauth_settings
from bot.slack.odd_ids import ignore_oversized_ids
from bot.slack.request_tags import tag_log_lines

log = logging.getLogger(__name__)


def build_app(deps: Deps, *, client: WebClient | None = None, token_verification: bool = True) -> App:
    settings = deps.settings
    client = client or build_client(settings.slack_bot_token, settings.slack_api_url)
    if install_mode(settings) == "oauth":
        app = App(
            signing_secret=settings.slack_signing_secret,
            client=client,
            process_before_response=True,
            listener_executor=background.executor,
            oauth_settings=oauth_settings(settings, engine_of(deps)),
        )
    else:
        app = App(
            signing_secret=settings.slack_signing_secret,
            client=client,
            process_before_response=True,
            listener_executor=background.executor,
            token_verification_enabled=token_verification,
        )
    app.use(tag_log_lines)
    app.use(ignore_oversized_ids)

    @app.error
    def log_errors(error: Exception, body: dict[str, Any], response: BoltResponse | None) -> None:
        """The one place errors go. The answer stays a 5xx so Slack redelivers the event."""
        kind = (body.get("event") or {}).get("type") or body.get("command") or body.get("type")
        log.error("failed to handle %s: %s", kind, error.__class__.__name__, exc_info=error)

    events.register(app, deps)
    commands.register(app, deps)
    interactivity.register(app, deps)
    views.register(app, deps)
    events.register_fallback(app)
    return app
