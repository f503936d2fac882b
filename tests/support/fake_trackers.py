"""Fake Jira Cloud, GitHub and Linear APIs: one real HTTP server in a thread, recording every
call, keeping the issues it made, and failing as the real ones do: every call can take
``latency`` seconds, any operation can answer 429 with Retry-After or 5xx, and a create can be
carried out and its answer lost (a 5xx, or the connection dropped, after the issue was made).

Paths: Jira under ``/jira`` (``jira_url``), GitHub under ``/github`` (``github_api_url``),
Linear at ``/linear/graphql`` (``linear_url``). Operations, for ``fail``: ``jira.create``,
``jira.search``, ``jira.get``, ``jira.transition``, ``jira.update``, ``github.create``,
``github.list``, ``github.get``, ``github.update``, ``linear.create``, ``linear.find``,
``linear.update``, ``linear.poll``.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    op: str
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    after_effect: bool = False
    """Carry the call out first, then fail: the answer is lost."""
    drop: bool = False
    """Close the connection without any answer."""


JIRA_TRANSITIONS: list[dict[str, Any]] = [
    {"id": "11", "name": "To Do", "to": {"name": "To Do", "statusCategory": {"key": "new"}}},
    {"id": "21", "name": "Start", "to": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}},
    {"id": "31", "name": "Done", "to": {"name": "Done", "statusCategory": {"key": "done"}}},
]
LINEAR_STATES: list[dict[str, Any]] = [
    {"id": "state-backlog", "name": "Backlog", "type": "backlog", "position": 0},
    {"id": "state-todo", "name": "Todo", "type": "unstarted", "position": 1},
    {"id": "state-done", "name": "Done", "type": "completed", "position": 3},
    {"id": "state-canceled", "name": "Canceled", "type": "canceled", "position": 4},
]


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class FakeTrackers:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.jira: dict[str, dict[str, Any]] = {}
        self.github: dict[str, dict[str, Any]] = {}
        self.linear: dict[str, dict[str, Any]] = {}
        """Linear issues by uuid."""
        self.users: dict[str, dict[str, str]] = {}
        """email → {"jira": accountId, "github": login, "linear": id}."""
        self.failures: dict[str, list[Failure]] = {}
        self.latency = 0.0
        self.repo = "acme/api"
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def jira_url(self) -> str:
        return self.base + "/jira"

    @property
    def github_api_url(self) -> str:
        return self.base + "/github"

    @property
    def linear_url(self) -> str:
        return self.base + "/linear/graphql"

    def start(self) -> FakeTrackers:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, op: str, *failures: Failure) -> None:
        self.failures.setdefault(op, []).extend(failures)

    def add_user(self, email: str, *, jira: str, github: str, linear: str) -> None:
        self.users[email] = {"jira": jira, "github": github, "linear": linear}

    def calls_to(self, op: str) -> list[Call]:
        return [c for c in self.calls if c.op == op]

    # --- changes made in the tracker by people, for the tests ---

    def jira_set_status(self, key: str, category: str, *, name: str, resolution: str | None = None) -> None:
        fields = self.jira[key]["fields"]
        fields["status"] = {"name": name, "statusCategory": {"key": category}}
        fields["resolution"] = {"name": resolution} if resolution else None
        fields["updated"] = _iso(datetime.now(UTC))

    def github_close(self, number: str, reason: str = "completed") -> None:
        issue = self.github[number]
        issue.update(state="closed", state_reason=reason, updated_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        issue["etag"] = f'"{next(self._numbers)}"'

    # --- the server ---

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                op, run = fake._route(self.command, parts.path, body)
                query = parse_qs(parts.query)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    fake.calls.append(Call(op, self.command, parts.path, query, body, headers))
                    failure = fake.failures.get(op, []).pop(0) if fake.failures.get(op) else None
                if fake.latency:
                    time.sleep(fake.latency)
                if failure is not None and not failure.after_effect:
                    self._fail(failure)
                    return
                with fake._lock:
                    status, answer, extra = run(query, headers)
                if failure is not None:
                    self._fail(failure)
                    return
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _fail(self, failure: Failure) -> None:
                if failure.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                data = json.dumps({"message": "failure"}).encode()
                self.send_response(failure.status)
                for name, value in failure.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = _serve

        return Handler

    def _route(self, method: str, path: str, body: Any) -> tuple[str, Any]:
        if path.startswith("/jira/"):
            return self._jira(method, path[len("/jira") :], body)
        if path.startswith("/github/"):
            return self._github(method, path[len("/github") :], body)
        if path == "/linear/graphql":
            return self._linear(body)
        return "unknown", lambda q, h: (404, {"message": "no such path"}, {})

    # --- Jira ---

    def _jira(self, method: str, path: str, body: Any) -> tuple[str, Any]:
        issue_path = re.fullmatch(r"/rest/api/3/issue/([A-Z0-9_]+-\d+)(/transitions)?", path)
        if method == "POST" and path == "/rest/api/3/issue":
            return "jira.create", lambda q, h: self._jira_create(body)
        if path == "/rest/api/3/search/jql":
            return "jira.search", lambda q, h: (200, self._jira_search(q["jql"][0]), {})
        if path == "/rest/api/3/user/search":
            return "jira.user", lambda q, h: (
                200,
                [
                    {"accountId": self.users[e]["jira"], "accountType": "atlassian"}
                    for e in q["query"]
                    if e in self.users
                ],
                {},
            )
        if issue_path and not issue_path.group(2):
            key = issue_path.group(1)
            if method == "PUT":
                return "jira.update", lambda q, h: self._jira_update(key, body)
            return "jira.get", lambda q, h: (200, self.jira[key], {}) if key in self.jira else (404, {}, {})
        if issue_path:
            key = issue_path.group(1)
            if method == "POST":
                return "jira.transition", lambda q, h: self._jira_transition(key, body)
            return "jira.transitions", lambda q, h: (200, {"transitions": JIRA_TRANSITIONS}, {})
        return "jira.unknown", lambda q, h: (404, {}, {})

    def _jira_create(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        fields = body["fields"]
        number = next(self._numbers)
        key = f"{fields['project']['key']}-{number}"
        self.jira[key] = {
            "id": str(10000 + number),
            "key": key,
            "fields": {
                **fields,
                "status": {"name": "To Do", "statusCategory": {"key": "new"}},
                "resolution": None,
                "updated": _iso(datetime.now(UTC)),
            },
        }
        return 201, {"id": str(10000 + number), "key": key, "self": f"{self.jira_url}/rest/api/3/issue/{key}"}, {}

    def _jira_search(self, jql: str) -> dict[str, Any]:
        label = re.search(r'labels = "([^"]+)"', jql)
        keys = re.search(r"key in \(([^)]*)\)", jql)
        if label:
            found = [i for i in self.jira.values() if label.group(1) in i["fields"].get("labels", [])]
        elif keys:
            wanted = {k.strip().strip('"') for k in keys.group(1).split(",")}
            found = [i for k, i in self.jira.items() if k in wanted]
        else:
            found = []
        return {"issues": found, "isLast": True}

    def _jira_update(self, key: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        self.jira[key]["fields"].update(body["fields"])
        self.jira[key]["fields"]["updated"] = _iso(datetime.now(UTC))
        return 204, None, {}

    def _jira_transition(self, key: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        chosen = next(t for t in JIRA_TRANSITIONS if t["id"] == body["transition"]["id"])
        self.jira_set_status(
            key,
            chosen["to"]["statusCategory"]["key"],
            name=chosen["to"]["name"],
            resolution="Done" if chosen["to"]["statusCategory"]["key"] == "done" else None,
        )
        return 204, None, {}

    # --- GitHub ---

    def _github(self, method: str, path: str, body: Any) -> tuple[str, Any]:
        issues = f"/repos/{self.repo}/issues"
        one = re.fullmatch(re.escape(issues) + r"/(\d+)", path)
        if path == issues and method == "POST":
            return "github.create", lambda q, h: self._github_create(body)
        if path == issues:
            return "github.list", lambda q, h: (200, list(reversed(self.github.values())), {})
        if path == "/search/users":
            return "github.users", lambda q, h: self._github_users(q["q"][0])
        if one and method == "PATCH":
            return "github.update", lambda q, h: self._github_update(one.group(1), body)
        if one:
            return "github.get", lambda q, h: self._github_get(one.group(1), h)
        return "github.unknown", lambda q, h: (404, {}, {})

    def _github_users(self, q: str) -> tuple[int, Any, dict[str, str]]:
        email = q.split(" ")[0]
        found = [{"login": self.users[email]["github"]}] if email in self.users else []
        return 200, {"total_count": len(found), "items": found}, {}

    def _github_create(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        number = str(next(self._numbers))
        issue = {
            "number": int(number),
            "node_id": f"I_node{number}",
            "html_url": f"https://github.com/{self.repo}/issues/{number}",
            "state": "open",
            "state_reason": None,
            "title": body["title"],
            "body": body["body"],
            "labels": [{"name": n} for n in body.get("labels", [])],
            "assignees": [{"login": a} for a in body.get("assignees", [])],
            "updated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "etag": f'"{number}-0"',
        }
        self.github[number] = issue
        return 201, issue, {"ETag": issue["etag"]}

    def _github_get(self, number: str, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        issue = self.github.get(number)
        if issue is None:
            return 404, {"message": "Not Found"}, {}
        if headers.get("if-none-match") == issue["etag"]:
            return 304, None, {"ETag": issue["etag"]}
        return 200, issue, {"ETag": issue["etag"]}

    def _github_update(self, number: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        issue = self.github[number]
        for name, value in body.items():
            issue[name] = [{"login": a} for a in value] if name == "assignees" else value
        if issue["state"] == "open":
            issue["state_reason"] = body.get("state_reason", issue["state_reason"])
        issue["updated_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        issue["etag"] = f'"{number}-{next(self._numbers)}"'
        return 200, issue, {"ETag": issue["etag"]}

    # --- Linear ---

    def _linear(self, body: Any) -> tuple[str, Any]:
        query: str = body["query"]
        variables: dict[str, Any] = body.get("variables") or {}
        if "issueCreate" in query:
            return "linear.create", lambda q, h: (200, {"data": {"issueCreate": self._linear_create(variables)}}, {})
        if "issueUpdate" in query:
            return "linear.update", lambda q, h: (200, {"data": {"issueUpdate": self._linear_update(variables)}}, {})
        if "description: { contains" in query:
            found = lambda: [i for i in self.linear.values() if variables["marker"] in i["description"]]  # noqa: E731
            return "linear.find", lambda q, h: (200, {"data": {"issues": {"nodes": found()}}}, {})
        if "id: { in" in query:
            polled = lambda: [self.linear[i] for i in variables["ids"] if i in self.linear]  # noqa: E731
            return "linear.poll", lambda q, h: (200, {"data": {"issues": {"nodes": polled()}}}, {})
        if "issue(id" in query:
            return "linear.get", lambda q, h: (200, {"data": {"issue": self._linear_issue(variables["id"])}}, {})
        if "users(" in query:
            email = variables["email"]
            nodes = [{"id": self.users[email]["linear"]}] if email in self.users else []
            return "linear.users", lambda q, h: (200, {"data": {"users": {"nodes": nodes}}}, {})
        if "team(id" in query:
            return "linear.states", lambda q, h: (200, {"data": {"team": {"states": {"nodes": LINEAR_STATES}}}}, {})
        return "linear.unknown", lambda q, h: (400, {"errors": [{"message": "unknown query"}]}, {})

    def _linear_issue(self, id_or_key: str) -> dict[str, Any] | None:
        return self.linear.get(id_or_key) or next(
            (i for i in self.linear.values() if i["identifier"] == id_or_key), None
        )

    def _linear_create(self, variables: dict[str, Any]) -> dict[str, Any]:
        given = variables["input"]
        number = next(self._numbers)
        uuid = f"00000000-0000-4000-8000-{number:012d}"
        issue = {
            "id": uuid,
            "identifier": f"ENG-{number}",
            "url": f"https://linear.app/acme/issue/ENG-{number}/item",
            "title": given["title"],
            "description": given["description"],
            "dueDate": given.get("dueDate"),
            "updatedAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "state": {"name": "Todo", "type": "unstarted"},
            "assignee": {"id": given["assigneeId"]} if given.get("assigneeId") else None,
        }
        self.linear[uuid] = issue
        return {"success": True, "issue": issue}

    def _linear_update(self, variables: dict[str, Any]) -> dict[str, Any]:
        issue = self._linear_issue(variables["id"])
        assert issue is not None
        change = variables["input"]
        if "stateId" in change:
            state = next(s for s in LINEAR_STATES if s["id"] == change["stateId"])
            issue["state"] = {"name": state["name"], "type": state["type"]}
        if "dueDate" in change:
            issue["dueDate"] = change["dueDate"]
        if "assigneeId" in change:
            issue["assignee"] = {"id": change["assigneeId"]}
        issue["updatedAt"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        return {"success": True, "issue": issue}
