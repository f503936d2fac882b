"""Requests signed exactly like Slack's, sent through the real WSGI app and Bolt."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "test-signing-secret"


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackRequests:
    """Drives a WSGI app the way Slack's servers do."""

    def __init__(
        self,
        wsgi: Any,
        *,
        secret: str = SIGNING_SECRET,
        team_id: str = "T111",
        response_url: str = "https://hooks.slack.com/commands/T111/1/abc",
    ) -> None:
        self.wsgi = wsgi
        self.secret = secret
        self.team_id = team_id
        self.response_url = response_url
        """Where a command's later answers go: the fake Slack's, in the tests' ``scribe``."""

    def request(
        self,
        body: str,
        *,
        content_type: str,
        path: str = "/slack/events",
        method: str = "POST",
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        timestamp = int(time.time()) if timestamp is None else timestamp
        raw = body.encode()
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "3000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(raw),
            "CONTENT_LENGTH": str(len(raw)),
            "CONTENT_TYPE": content_type,
            "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(timestamp),
            "HTTP_X_SLACK_SIGNATURE": signature if signature is not None else sign(body, timestamp, self.secret),
        }
        for key, value in (headers or {}).items():
            environ["HTTP_" + key.upper().replace("-", "_")] = value
        captured: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"] = int(status.split()[0])
            captured["headers"] = {k.lower(): v for k, v in response_headers}

        chunks = self.wsgi(environ, start_response)
        text = b"".join(chunks).decode()
        return Response(captured["status"], captured["headers"], text)

    def event(self, payload: dict[str, Any], *, retry_num: int | None = None, **kwargs: Any) -> Response:
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.request(json.dumps(payload), content_type="application/json", headers=headers, **kwargs)

    def message(
        self, channel: str, ts: str, text: str, *, user: str = "U1", team_id: str | None = None, **extra: Any
    ) -> Response:
        event = message_event(channel, ts, text, user=user, **extra)
        return self.event(event_callback(event, team_id=team_id or self.team_id))

    def command(
        self, text: str, *, channel: str = "C1", user: str = "U1", team_id: str | None = None, **kwargs: Any
    ) -> Response:
        form = command_form(
            text, channel=channel, user=user, team_id=team_id or self.team_id, response_url=self.response_url
        )
        return self.form(form, **kwargs)

    def form(self, form: dict[str, str], **kwargs: Any) -> Response:
        """A slash command's form, as Slack posts it."""
        return self.request(urlencode(form), content_type="application/x-www-form-urlencoded", **kwargs)

    def action(self, payload: dict[str, Any], **kwargs: Any) -> Response:
        return self.request(
            urlencode({"payload": json.dumps(payload)}), content_type="application/x-www-form-urlencoded", **kwargs
        )


def event_callback(event: dict[str, Any], *, team_id: str = "T111", event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": team_id,
        "api_app_id": "A111",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{abs(hash(json.dumps(event, sort_keys=True))) % 10**10}",
        "event_time": int(float(event.get("event_ts") or event.get("ts") or 0)),
        "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True}],
    }


def message_event(channel: str, ts: str, text: str, *, user: str = "U1", **extra: Any) -> dict[str, Any]:
    """A ``message`` event as the Events API sends it in a channel."""
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
        **extra,
    }


def command_form(
    text: str, *, channel: str = "C1", user: str = "U1", team_id: str = "T111", response_url: str
) -> dict[str, str]:
    """``/incident TEXT`` as the form Slack posts."""
    return {
        "token": "legacy",
        "team_id": team_id,
        "team_domain": "acme",
        "channel_id": channel,
        "channel_name": "incident",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/incident",
        "text": text,
        "api_app_id": "A111",
        "response_url": response_url,
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }
