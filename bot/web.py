"""The WSGI application: Bolt's request handler plus a health check, input limits and the other
HTTP surfaces (webhooks, pages), each mounted under a path prefix of its own."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.slack.background import after_the_answer

MAX_BODY_BYTES = 1_000_000
"""Slack's payloads are far smaller; anything bigger is refused before it is read."""

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def create_wsgi_app(
    app: App, *, health: Callable[[], bool] | None = None, mounts: Mapping[str, WsgiApp] | None = None
) -> WsgiApp:
    """``mounts`` maps a path prefix (``"/webhooks/"``, ``"/ui/"``) to the WSGI app that serves every
    path under it; that app applies its own limits and authentication."""
    slack = after_the_answer(SlackRequestHandler(app, path="/slack/events"))  # lazy listeners start once answered
    prefixes = sorted((mounts or {}).items(), key=lambda item: len(item[0]), reverse=True)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        for prefix, mounted in prefixes:
            if path.startswith(prefix) or path == prefix.rstrip("/"):
                return contextvars.copy_context().run(mounted, environ, start_response)
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
