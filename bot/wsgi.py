"""WSGI entry point for gunicorn (the Procfile's `web:`): ``gunicorn bot.wsgi:application``.

Configuration comes from the environment, checked as ``scribe serve`` checks it (a combination
that cannot work stops the server with one line); the database must already be at head
(`scribe migrate`, the Procfile's `release:`). Logging is set up here as the `scribe` command
sets it up, from LOG_LEVEL; gunicorn's own error log keeps its handler.
"""

import logging
import sys
from typing import NoReturn

from gunicorn.arbiter import Arbiter

from bot.logs import configure_logging
from bot.server import build_wsgi
from bot.settings import Settings, shown_url
from bot.slack.oauth import refused_configuration


def _refuse(line: str) -> NoReturn:
    """Say why once; gunicorn then stops ("App failed to load") instead of restarting the worker."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
    raise SystemExit(Arbiter.APP_LOAD_ERROR)


try:
    settings = Settings.from_env()
except SystemExit as refused:
    _refuse(str(refused.code))
configure_logging(settings.log_level)
problem = refused_configuration(settings, socket=False)
if problem:
    _refuse(problem)
application = build_wsgi(settings)
logging.getLogger("scribe").info(
    "web worker ready: database %s, Slack API %s, log level %s",
    shown_url(settings.database_url),
    settings.slack_api_url,
    settings.log_level,
)
