"""The WSGI application: Bolt's request handler plus a health check and input limits."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

MAX_BODY_BYTES = 1_000_000
"""Slack's payloads are far smaller; anything bigger is refused before it is read."""

StartResponse = Callable[..., Any]


def create_wsgi_app(
    app: App, *, health: Callable[[], bool] | None = None
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok = health() if health else True
            return _plain(
                start_response,
                "200 OK" if ok else "503 Service Unavailable",
                b"ok\n" if ok else b"database unavailable\n",
            )
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(start_response, "400 Bad Request", b"bad content length\n")
        if length > MAX_BODY_BYTES:
            return _plain(start_response, "413 Content Too Large", b"request body too large\n")
        try:  # in a context of its own: what one request tags its log lines with ends with it
            return contextvars.copy_context().run(slack, environ, start_response)
        except ValueError:  # a body Bolt cannot parse (malformed JSON or form): not Slack's
            return _plain(start_response, "400 Bad Request", b"malformed request body\n")

    return wsgi


def _plain(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
