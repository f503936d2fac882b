"""WSGI entry point for gunicorn (the Procfile's `web:`): ``gunicorn bot.wsgi:application``.

Configuration comes from the environment; the database must already be at head
(`scribe migrate`, the Procfile's `release:`). Logging is set up here as the `scribe` command
sets it up, from LOG_LEVEL; gunicorn's own error log keeps its handler.
"""

from bot.logs import configure_logging
from bot.server import build_wsgi
from bot.settings import Settings

settings = Settings.from_env()
configure_logging(settings.log_level)
application = build_wsgi(settings)
