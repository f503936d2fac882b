"""Production HTTP serving with gunicorn: one app per worker process, nothing shared but the DB."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from bot.settings import Settings


def build_wsgi(settings: Settings) -> Any:
    from sqlalchemy import text

    from bot.slack.app import build_app
    from bot.slack.deps import Deps
    from bot.web import create_wsgi_app
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

    return create_wsgi_app(build_app(deps), health=healthy)


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
