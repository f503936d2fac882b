"""Build the Bolt app: the only place that wires Slack to the use cases.

Every setting Bolt has is passed here, from :class:`~bot.settings.Settings`: the environment
never decides what Bolt does. ``App()`` and ``OAuthSettings()`` also read ``SLACK_*`` variables
on their own, and ``App()`` turns on its own OAuth flow (with files under the home directory)
whenever ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` are in the environment, whatever it is
given: the names in :data:`BOLT_READS` are hidden from it while it is built.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.slack import background
from bot.slack.client import build_client
from bot.slack.deps import Deps
from bot.slack.identity import KnownIdentity, keep_authorizations
from bot.slack.listeners import commands, events, interactivity, running, views
from bot.slack.oauth import engine_of, install_mode, oauth_settings
from bot.slack.odd_ids import ignore_oversized_ids
from bot.slack.request_tags import tag_log_lines

log = logging.getLogger(__name__)

BOLT_READS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_VERIFICATION_TOKEN",
    "SLACK_SCOPES",
    "SLACK_USER_SCOPES",
    "SLACK_REDIRECT_URI",
    "SLACK_INSTALL_PATH",
    "SLACK_REDIRECT_URI_PATH",
)
"""Every variable slack_bolt's ``App`` and ``OAuthSettings`` read from the environment."""

_hiding = threading.Lock()


@contextmanager
def _bolt_sees_no_environment() -> Iterator[None]:
    """While Bolt builds the app, the variables it would read are not in ``os.environ`` (put
    back at once; built at start-up, before requests are served)."""
    with _hiding:
        hidden = {name: os.environ.pop(name) for name in BOLT_READS if name in os.environ}
        try:
            yield
        finally:
            os.environ.update(hidden)


def build_app(deps: Deps, *, client: WebClient | None = None, identity: KnownIdentity | None = None) -> App:
    """The app for the settings' mode. ``client`` carries the base URL and retry handlers every
    request's client copies; ``identity`` is the single-token install's (made here when not given)."""
    settings = deps.settings
    client = client or build_client(settings.slack_bot_token, settings.slack_api_url)
    per_request = build_client(None, settings.slack_api_url)  # the token comes from authorize
    per_request.retry_handlers = list(client.retry_handlers)
    common: dict[str, Any] = {
        "name": "incident-scribe",
        "signing_secret": settings.slack_signing_secret or "",
        "token": None,
        "client": per_request,
        "process_before_response": True,
        "listener_executor": background.executor,
        "verification_token": None,
        "request_verification_enabled": True,
        "ignoring_self_events_enabled": True,
        "ssl_check_enabled": True,
        "url_verification_enabled": True,
        "token_verification_enabled": False,
    }
    mode = install_mode(settings)
    with _bolt_sees_no_environment():
        if mode == "oauth":
            app = App(
                **common, oauth_settings=oauth_settings(settings, engine_of(deps)), installation_store_bot_only=True
            )
        else:
            if not settings.slack_bot_token:
                raise ValueError("a single-workspace app needs SLACK_BOT_TOKEN")
            identity = identity or KnownIdentity(deps, client, settings.slack_bot_token, pool=background.executor)
            app = App(**common, authorize=identity.bolt_authorize(), before_authorize=keep_authorizations)
    if (app.oauth_flow is not None) != (mode == "oauth"):
        raise RuntimeError(f"Bolt's OAuth flow is {'on' if app.oauth_flow else 'off'} in {mode} mode")
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
    running.register(app, deps)
    events.register_fallback(app)
    return app
