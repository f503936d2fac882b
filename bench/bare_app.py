"""The baseline for bench/ingest: a Bolt app that only acknowledges message events.

Same Bolt version, same WSGI adapter, same gunicorn settings as the real app; it checks
signatures like the real app and answers as soon as Bolt has acknowledged.
"""

from __future__ import annotations

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

_app = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    process_before_response=True,
)


@_app.event("message")
def _acknowledge_only() -> None:
    return None


application = SlackRequestHandler(_app)
