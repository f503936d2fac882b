"""Talking to a server running in another process, over real HTTP.

``OverHttp`` is a WSGI callable that forwards each request to the server, so the drivers written
for the WSGI app (``SlackRequests``, ``Senders``) send the same signed requests to a deployed
process. ``Browser`` is a person at the web pages: it keeps cookies and follows nothing by itself.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class OverHttp:
    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.netloc = urlsplit(base_url).netloc
        self.timeout = timeout

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").title(): str(value) for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        target = environ.get("PATH_INFO", "/")
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
        connection = http.client.HTTPConnection(self.netloc, timeout=self.timeout)
        try:
            connection.request(environ.get("REQUEST_METHOD", "GET"), target, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        start_response(f"{answer.status} {answer.reason}", list(answer.getheaders()))
        return [data]


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("Location") or ""


class Browser:
    """GETs from one server, keeping the cookies it sets (``Secure`` ones too: a proxy in front
    would speak TLS to the person)."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.netloc = urlsplit(base_url).netloc
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def get(self, target: str) -> Page:
        """``target`` is a path with its query, or a full URL whose path and query are sent here."""
        parts = urlsplit(target)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        connection = http.client.HTTPConnection(self.netloc, timeout=self.timeout)
        try:
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode(errors="replace")
        finally:
            connection.close()
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return Page(answer.status, answer.headers, text)
