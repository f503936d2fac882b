"""WSGI entry point for gunicorn (the Procfile's `web:`): ``gunicorn bot.wsgi:application``.

Configuration comes from the environment; the database must already be at head
(`scribe migrate`, the Procfile's `release:`).
"""

from bot.server import build_wsgi
from bot.settings import Settings

application = build_wsgi(Settings.from_env())
