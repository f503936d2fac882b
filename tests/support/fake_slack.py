"""A fake Slack Web API: a real HTTP server in a thread that records every call.

The bot's SLACK_API_URL points at it. Responses are canned per method and can be overridden
or made to fail (status, headers, body) to exercise retries and rate limits. It also fails the
way real Slack does: every call can take ``latency`` seconds, any method can answer 429 with
Retry-After or 5xx, and a call can be carried out and its answer lost (the connection drops
after the post landed, or a 5xx comes back for a post that was made). What the bot posts is
kept per channel, so ``conversations.history`` finds it (paged, with ``has_more``) as in Slack.
``response_url`` posts land here too (``respond_url``), recorded as method ``response_url``.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Failure:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    after_effect: bool = False
    """Carry the call out first (post the message, create the channel), then fail: the answer is lost."""
    drop: bool = False
    """Close the connection without any answer (with ``after_effect``: after carrying it out)."""


class FakeSlack:
    def __init__(self, *, port: int = 0) -> None:
        """``port``: where to listen (0: any free port), e.g. where an app was told Slack is."""
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.responses: dict[str, Any] = {}
        self.failures: dict[str, list[Failure]] = {}
        self.latency = 0.0
        """Seconds every call waits before it is answered (real Slack: 0.1–1 s)."""
        self.latency_for: dict[str, float] = {}
        """Per-method latency, in place of ``latency``."""
        self.held: dict[str, threading.Event] = {}
        """Methods whose calls wait, recorded, until their event is set (see ``hold``)."""
        self.history: dict[str, list[dict[str, Any]]] = {}
        """What chat.postMessage posted, per channel, oldest first."""
        self.channels: dict[str, dict[str, Any]] = {}
        """What conversations.create made, by id."""
        self.team_id = "T111"
        self.conversations: dict[str, dict[str, Any]] = {}
        """What ``users.conversations`` lists: id → ``{"is_private", "members"}`` (see ``add_channel``)."""
        self.signing_in: tuple[str, str, str] | None = None
        """(team, user, name) that the authorize page signs in next (see ``sign_in_as``)."""
        self.client_id, self.client_secret = "1111.2222", "test-client-secret"
        self._codes: dict[str, dict[str, Any]] = {}
        self._oidc_tokens: dict[str, dict[str, Any]] = {}
        self.bot_user_id = "UBOT"
        self.bot_id = "BBOT"
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        return f"http://{host}:{port}/api/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- configuring -------------------------------------------------------------------
    def add_user(self, user_id: str, *, tz: str = "UTC", name: str | None = None, guest: str | None = None) -> None:
        """``guest``: ``"multi"`` (``is_restricted``) or ``"single"`` (``is_ultra_restricted``)."""
        self.users[user_id] = {
            "id": user_id,
            "name": name or user_id.lower(),
            "real_name": name or user_id,
            "tz": tz,
            "team_id": self.team_id,
            "deleted": False,
            "is_restricted": guest is not None,
            "is_ultra_restricted": guest == "single",
        }

    def deactivate(self, user_id: str) -> None:
        """The person's account is deactivated: ``users.info`` says ``deleted``."""
        with self._lock:
            self.users[user_id] = {**self.users[user_id], "deleted": True}

    def hold(self, method: str) -> threading.Event:
        """Calls of ``method`` are recorded, then wait without an answer until the event is set."""
        gate = threading.Event()
        with self._lock:
            self.held[method] = gate
        return gate

    def fail(
        self,
        method: str,
        status: int,
        *,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        after_effect: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` answer with this failure (after carrying the
        call out, with ``after_effect``)."""
        with self._lock:
            self.failures.setdefault(method, []).extend([Failure(status, body, headers or {}, after_effect)] * times)

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer 429 with Retry-After."""
        self.fail(method, 429, headers={"Retry-After": str(retry_after)}, times=times)

    def lose_answer(self, method: str, *, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` are carried out, then the connection drops."""
        with self._lock:
            self.failures.setdefault(method, []).extend([Failure(0, after_effect=True, drop=True)] * times)

    def add_channel(self, channel_id: str, *, private: bool = False, members: tuple[str, ...] = ()) -> None:
        """A channel the bot is in, with these members (for ``users.conversations``)."""
        with self._lock:
            self.conversations[channel_id] = {"is_private": private, "members": set(members)}

    def sign_in_as(self, user_id: str, *, team_id: str | None = None, name: str | None = None) -> None:
        """The person the authorize page signs in (as if they had clicked Allow)."""
        self.signing_in = (team_id or self.team_id, user_id, name or user_id)

    def authorize(self, query: str) -> tuple[int, dict[str, str]]:
        """Slack's authorize page, already agreed to: back to ``redirect_uri`` with a code and
        the state, or with ``error=access_denied`` when nobody is set to sign in."""
        params = {k: v[0] for k, v in parse_qs(query).items()}
        back = params.get("redirect_uri", "")
        if self.signing_in is None or params.get("client_id") != self.client_id:
            return 302, {
                "Location": f"{back}?{urlencode({'error': 'access_denied', 'state': params.get('state', '')})}"
            }
        code = f"code-{next(self._ts)}"
        team, user, name = self.signing_in
        with self._lock:
            self._codes[code] = {
                "team": team,
                "user": user,
                "name": name,
                "nonce": params.get("nonce"),
                "redirect_uri": back,
            }
        return 302, {"Location": f"{back}?{urlencode({'code': code, 'state': params.get('state', '')})}"}

    def authorize_url(self) -> str:
        return self.url.replace("/api/", "/openid/connect/authorize")

    def respond_url(self, name: str = "1") -> str:
        """A ``response_url`` that posts here."""
        return self.url.replace("/api/", f"/respond/{name}")

    # -- reading -----------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """The messages in ``channel`` that the bot posted, oldest first."""
        with self._lock:
            return list(self.history.get(channel, []))

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- answering ---------------------------------------------------------------------
    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method in self.responses:
            response = self.responses[method]
            return response(params) if callable(response) else response
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://acme.slack.com/",
                "team": "Acme",
                "team_id": self.team_id,
                "user": "scribe",
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
            }
        if method == "openid.connect.token":
            return self._oidc_token(params)
        if method == "openid.connect.userInfo":
            with self._lock:
                known = self._oidc_tokens.get(params.get("_token", ""))
            if known is None:
                return {"ok": False, "error": "invalid_auth"}
            return {
                "ok": True,
                "sub": known["user"],
                "https://slack.com/user_id": known["user"],
                "https://slack.com/team_id": known["team"],
                "name": known["name"],
            }
        if method == "users.conversations":
            wanted = set(str(params.get("types") or "public_channel").split(","))
            user = params.get("user") or self.bot_user_id
            with self._lock:
                listed = [
                    {"id": cid, "is_private": c["is_private"]}
                    for cid, c in self.conversations.items()
                    if ("private_channel" if c["is_private"] else "public_channel") in wanted
                    and (user == self.bot_user_id or user in c["members"])
                ]
            return {"ok": True, "channels": listed, "response_metadata": {"next_cursor": ""}}
        if method == "users.info":
            user = self.users.get(params.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            found = [u for u in self.users.values() if (u.get("profile") or {}).get("email") == params.get("email")]
            return {"ok": True, "user": found[0]} if found else {"ok": False, "error": "users_not_found"}
        if method == "chat.postMessage":
            ts = f"{1800000000 + next(self._ts)}.000100"
            message = {
                "type": "message",
                "text": params.get("text"),
                "ts": ts,
                "user": self.bot_user_id,
                "bot_id": self.bot_id,
            }
            metadata = _json_dict(params.get("metadata"))
            if metadata:
                message["metadata"] = metadata
            with self._lock:
                self.history.setdefault(str(params.get("channel")), []).append(message)
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": message}
        if method == "chat.update":
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": params.get("ts"),
                "message": {"text": params.get("text"), "ts": params.get("ts")},
            }
        if method == "conversations.create":
            with self._lock:
                if any(c.get("name") == params.get("name") for c in self.channels.values()):
                    return {"ok": False, "error": "name_taken"}
            number = next(self._ts)
            channel: dict[str, Any] = {
                "id": f"CNEW{number}",
                "name": params.get("name"),
                "creator": self.bot_user_id,
                "is_private": False,
                "is_member": True,
            }
            with self._lock:
                self.channels[channel["id"]] = channel
            return {"ok": True, "channel": channel}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1800000000 + next(self._ts)}.000200"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "X")).split(",")[0]}}
        if method == "files.getUploadURLExternal":
            return {
                "ok": True,
                "upload_url": self.url.replace("/api/", "/upload/") + "F1",
                "file_id": f"F{next(self._ts)}",
            }
        if method == "files.completeUploadExternal":
            return {
                "ok": True,
                "files": [{"id": f.get("id"), "title": f.get("title")} for f in _json_list(params.get("files"))],
            }
        if method == "conversations.info":
            channel_id = str(params.get("channel"))
            with self._lock:
                known = self.channels.get(channel_id)
            return {
                "ok": True,
                "channel": known or {"id": channel_id, "name": "incident", "is_private": False, "is_member": True},
            }
        if method == "conversations.list":
            with self._lock:
                listed = list(self.channels.values())
            return {"ok": True, "channels": listed, "response_metadata": {"next_cursor": ""}}
        if method == "conversations.history":
            return self._history_page(params)
        if method == "conversations.replies":
            return {"ok": True, "messages": [], "has_more": False, "response_metadata": {"next_cursor": ""}}
        return {"ok": True}

    def _oidc_token(self, params: dict[str, Any]) -> dict[str, Any]:
        if (params.get("_client_id"), params.get("_client_secret")) != (self.client_id, self.client_secret):
            return {"ok": False, "error": "invalid_client_id"}
        with self._lock:
            grant = self._codes.pop(str(params.get("code")), None)
        if grant is None or grant["redirect_uri"] != params.get("redirect_uri"):
            return {"ok": False, "error": "invalid_code"}
        token = f"xoxp-oidc-{next(self._ts)}"
        with self._lock:
            self._oidc_tokens[token] = grant
        claims = {
            "iss": "https://slack.com",
            "sub": grant["user"],
            "aud": self.client_id,
            "nonce": grant["nonce"],
            "https://slack.com/user_id": grant["user"],
            "https://slack.com/team_id": grant["team"],
        }
        id_token = ".".join(_b64(part) for part in ({"alg": "none"}, claims, {}))
        return {"ok": True, "access_token": token, "token_type": "Bearer", "id_token": id_token}

    def _history_page(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first, ``limit`` a page, the cursor an offset, as Slack pages its history."""
        oldest = float(params.get("oldest") or 0)
        with self._lock:
            messages = [
                m for m in reversed(self.history.get(str(params.get("channel")), [])) if float(m["ts"]) >= oldest
            ]
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        page = messages[start : start + limit]
        more = start + limit < len(messages)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _respond(self, status: int, body: dict[str, Any] | str, headers: dict[str, str] | None = None) -> None:
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                if self.path.startswith("/openid/connect/authorize"):
                    status, headers = fake.authorize(self.path.partition("?")[2])
                    with fake._lock:
                        fake.calls.append(Call("openid.connect.authorize", {}, dict(self.headers)))
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.path.startswith("/upload/"):
                    with fake._lock:
                        fake.calls.append(Call("upload", {"bytes": raw}, dict(self.headers)))
                    self._respond(200, "OK - " + str(len(raw)))
                    return
                if self.path.startswith("/respond/"):
                    params = json.loads(raw or b"{}")
                    params["url"] = self.path
                    with fake._lock:
                        fake.calls.append(Call("response_url", params, dict(self.headers)))
                    self._respond(200, "ok")
                    return
                method = self.path.split("/api/", 1)[-1].split("?")[0]
                params = _params(raw, self.headers.get("Content-Type", ""), self.path)
                if method.startswith("openid."):
                    params.update(_credentials(self.headers.get("Authorization", "")))
                with fake._lock:
                    fake.calls.append(Call(method, params, dict(self.headers)))
                    queue = fake.failures.get(method)
                    failure = queue.pop(0) if queue else None
                    delay = fake.latency_for.get(method, fake.latency)
                    gate = fake.held.get(method)
                if gate is not None:
                    gate.wait(timeout=30)
                if delay:
                    time.sleep(delay)
                if failure is None:
                    self._respond(200, fake.answer(method, params))
                    return
                if failure.after_effect:
                    fake.answer(method, params)
                if failure.drop:
                    self.close_connection = True
                    return
                error = "ratelimited" if failure.status == 429 else "fatal_error"
                self._respond(failure.status, failure.body or {"ok": False, "error": error}, failure.headers)

            do_GET = do_POST

        return Handler


def _params(raw: bytes, content_type: str, path: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if "?" in path:
        params.update({k: v[0] for k, v in parse_qs(path.split("?", 1)[1]).items()})
    if not raw:
        return params
    if "json" in content_type:
        params.update(json.loads(raw))
    elif "multipart" not in content_type:
        params.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
    return params


def _json_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _json_list(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return value if isinstance(value, list) else []


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _credentials(header: str) -> dict[str, str]:
    """The caller's token (``_token``) or client id and secret (``_client_id``, ``_client_secret``)."""
    kind, _, value = header.partition(" ")
    if kind == "Bearer":
        return {"_token": value}
    if kind == "Basic":
        user, _, password = base64.b64decode(value).decode().partition(":")
        return {"_client_id": user, "_client_secret": password}
    return {}
