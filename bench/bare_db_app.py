"""A reference point for bench/ingest: the bare ack-only Bolt app, plus one database round trip
(``SELECT 1``, nothing written) before each acknowledgement.

Any app that stores an event before acknowledging it, as Slack's retries require, pays at least
this; the gap between it and the bare app is the cost of touching the database at all, the gap
between it and Incident Scribe the cost of the write itself and its commit.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import Engine

from storage.session import make_engine

_engine: Engine = make_engine(os.environ["DATABASE_URL"])
_connections = threading.local()

_app = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    process_before_response=True,
)


@_app.event("message")
def _one_round_trip() -> None:
    connection: Any = getattr(_connections, "driver", None)  # the driver's own (DB-API: untyped)
    if connection is None:  # one connection per request thread, kept: no pool in the way
        pooled = _engine.raw_connection()
        connection = pooled.driver_connection
        pooled.detach()
        _connections.driver = connection
    cursor = connection.cursor()
    cursor.execute("SELECT 1")
    cursor.fetchall()
    cursor.close()


application = SlackRequestHandler(_app)
