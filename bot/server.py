"""Production HTTP serving with gunicorn: one app per worker process, nothing shared but the DB."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from bot.settings import Settings


def http_app(deps: Any, *, health: Any = None, client: Any = None) -> Any:
    """Everything served over HTTP: Bolt's ``/slack/events``, the health check, the webhooks
    under ``/webhooks/`` and the pages under ``/ui/``. Production and the tests build it here, the
    same way."""
    from bot.services.webhook_endpoints import OperatorWebhooks
    from bot.slack.action_blocks import ticket_line_post
    from bot.slack.after_answer import drain
    from bot.slack.app import build_app
    from bot.slack.background import executor
    from bot.slack.client import build_client
    from bot.slack.identity import KnownIdentity
    from bot.slack.oauth import NoInstallation, clients, install_mode
    from bot.ui.app import build_ui
    from bot.web import create_wsgi_app
    from bot.webhooks.app import create_webhooks_app

    settings = deps.settings
    client = client or build_client(settings.slack_bot_token, settings.slack_api_url)
    identity = None
    if install_mode(settings) == "single" and settings.slack_bot_token:
        identity = KnownIdentity(deps, client, settings.slack_bot_token, pool=executor)
        if identity.current() is None:  # first start: ask once, briefly; Slack down only delays it
            asking = build_client(settings.slack_bot_token, settings.slack_api_url, timeout=BOOT_ASK_SECONDS)
            asking.retry_handlers = []  # one try: requests and the clock ask again later
            identity.learn(client=asking)
    app = build_app(deps, client=client, identity=identity)
    # the settings' webhook secrets serve the one workspace: its team is read from the stored identity
    operator = OperatorWebhooks.from_settings(settings, team_id=None, team_of=identity.team_id if identity else None)
    client_for = clients(deps, client)

    def owed_after_delivery(team_id: str) -> None:
        try:
            client = client_for(team_id)
        except NoInstallation:  # alerts of a workspace without the app: kept, nothing to do in Slack
            return
        drain(deps, client, team_id)

    def after_delivery(team_id: str) -> None:  # on the lazy listeners' pool, as Slack's own requests
        executor.submit(owed_after_delivery, team_id)

    webhooks = create_webhooks_app(
        sessions=deps.sessions,
        operator=operator,
        clock=deps.clock,
        after_answer=after_delivery,
        render_ticket_line=ticket_line_post,
    )
    return create_wsgi_app(app, health=health, mounts={"/webhooks/": webhooks, "/ui/": build_ui(deps)})


def build_wsgi(settings: Settings) -> Any:
    from sqlalchemy import text

    from bot.slack.deps import Deps
    from storage.session import make_engine, make_session_factory

    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    deps = Deps(settings=settings, sessions=make_session_factory(engine))

    def healthy() -> bool:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 (whatever stops the database answering makes the process unhealthy)
            return False

    return http_app(deps, health=healthy)


BOOT_ASK_SECONDS = 3
"""How long the web process waits for ``auth.test`` when it starts with no stored identity."""


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return build_wsgi(self.settings)


GUNICORN_OPTIONS = {"worker_class": "gthread", "threads": 4, "timeout": 30, "graceful_timeout": 20, "keepalive": 5}
"""The same settings as the Procfile's `web:` line, so `scribe serve` behaves like production."""


def serve_http(settings: Settings, *, port: int, workers: int) -> None:
    _Gunicorn(settings, {"bind": f"0.0.0.0:{port}", "workers": workers, **GUNICORN_OPTIONS}).run()
