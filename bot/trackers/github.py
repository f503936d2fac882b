"""GitHub Issues, REST: a token with Issues read and write on ``GITHUB_REPO``.

GitHub has no due date: it is a ``Due:`` line of the body, kept in step when it moves here.
The item's marker is an HTML comment in the body; a create whose answer was lost is found by
reading the repository's issues updated since the create began (not the search index, which
lags). Polling asks each issue with its ETag: an unchanged one answers 304, which GitHub does
not count against the rate limit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx

from bot.core.ticket_info import CANCELED, DONE, OPEN, Tracker
from bot.core.tickets import TicketDraft, TicketEvent, description_lines
from bot.trackers.base import TIMEOUT, Account, Linked, RemoteTicket, Wanted, parse_day, parse_time, send

FIND_PAGES = 5
_DUE_LINE = re.compile(r"^Due: (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def state_of(issue: Mapping[str, Any]) -> str:
    if issue.get("state") != "closed":
        return OPEN
    return CANCELED if issue.get("state_reason") in ("not_planned", "duplicate") else DONE


def body_of(draft: TicketDraft) -> str:
    return "\n".join(description_lines(draft)) + f"\n\n<!-- {draft.marker} -->\n"


class GitHubClient:
    tracker = Tracker.GITHUB

    def __init__(self, account: Account, *, http: httpx.Client | None = None) -> None:
        self.account = account
        self.repo = account.site
        self.base = (account.api_url or "https://api.github.com").rstrip("/")
        self.http = http or httpx.Client(
            timeout=TIMEOUT,
            headers={
                "Authorization": f"Bearer {account.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
        )

    def _issue_url(self, number: str) -> str:
        return f"{self.base}/repos/{self.repo}/issues/{number}"

    def _ticket(self, issue: Mapping[str, Any], etag: str | None = None) -> RemoteTicket:
        body = issue.get("body") if isinstance(issue.get("body"), str) else ""
        due = _DUE_LINE.search(body or "")
        return RemoteTicket(
            key=str(issue["number"]),
            url=str(issue.get("html_url") or ""),
            remote_id=str(issue.get("node_id")) if issue.get("node_id") else None,
            state=state_of(issue),
            remote_state=str(issue.get("state_reason") or issue.get("state") or "") or None,
            due=parse_day(due.group(1)) if due else None,
            updated_at=parse_time(issue.get("updated_at")),
            etag=etag,
        )

    def create(self, draft: TicketDraft) -> RemoteTicket:
        payload: dict[str, Any] = {"title": draft.title, "body": body_of(draft), "labels": list(draft.labels)}
        if draft.assignee:
            payload["assignees"] = [draft.assignee]
        made = send(
            self.http, "POST", f"{self.base}/repos/{self.repo}/issues", what="create issue", writes=True, json=payload
        )
        return self._ticket(made.json(), made.headers.get("etag"))

    def find(self, marker: str, *, since: datetime) -> RemoteTicket | None:
        url: str | None = f"{self.base}/repos/{self.repo}/issues"
        params: dict[str, Any] | None = {
            "state": "all",
            "since": (since - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "per_page": 100,
            "sort": "created",
            "direction": "desc",
        }
        for _ in range(FIND_PAGES):
            if url is None:
                return None
            page = send(self.http, "GET", url, what="find issue", params=params)
            for issue in page.json():
                if f"<!-- {marker} -->" in str(issue.get("body") or "") and "pull_request" not in issue:
                    return self._ticket(issue)
            next_link = page.links.get("next")
            url, params = (next_link["url"], None) if next_link else (None, None)
        return None

    def get(self, key: str) -> RemoteTicket:
        answer = send(self.http, "GET", self._issue_url(key), what=f"read #{key}")
        return self._ticket(answer.json(), answer.headers.get("etag"))

    def user_for_email(self, email: str) -> str | None:
        found = send(
            self.http, "GET", f"{self.base}/search/users", what="find user", params={"q": f"{email} in:email"}
        ).json()
        people = found.get("items") or []
        return str(people[0]["login"]) if len(people) == 1 else None

    def push(self, ticket: Linked, wanted: Wanted) -> RemoteTicket:
        answer = send(self.http, "GET", self._issue_url(ticket.key), what=f"read #{ticket.key}")
        issue = answer.json()
        change: dict[str, Any] = {}
        closed = issue.get("state") == "closed"
        if wanted.state == DONE and not closed:
            change.update(state="closed", state_reason="completed")
        elif wanted.state == OPEN and closed:
            change.update(state="open", state_reason="reopened")
        body = str(issue.get("body") or "")
        if wanted.due is not None:
            line = f"Due: {wanted.due.isoformat()}"
            new_body = _DUE_LINE.sub(line, body, count=1) if _DUE_LINE.search(body) else f"{line}\n\n{body}"
            if new_body != body:
                change["body"] = new_body
        if wanted.assignee and wanted.assignee not in [a.get("login") for a in issue.get("assignees") or ()]:
            change["assignees"] = [wanted.assignee]
        if not change:
            return self._ticket(issue, answer.headers.get("etag"))
        done = send(
            self.http, "PATCH", self._issue_url(ticket.key), what=f"update #{ticket.key}", writes=True, json=change
        )
        return self._ticket(done.json(), done.headers.get("etag"))

    def poll(self, tickets: Sequence[Linked]) -> list[RemoteTicket]:
        found = []
        for ticket in tickets:
            headers = {"If-None-Match": ticket.etag} if ticket.etag else {}
            answer = send(self.http, "GET", self._issue_url(ticket.key), what=f"poll #{ticket.key}", headers=headers)
            if answer.status_code != 304:
                found.append(self._ticket(answer.json(), answer.headers.get("etag")))
        return found


def parse_webhook(
    event_name: str | None, payload: Mapping[str, Any], *, repo: str, received_at: datetime
) -> list[TicketEvent]:
    """An ``issues`` delivery as an event: ``closed`` and ``reopened`` change the state; ``edited``
    with a new body moves the due date when its ``Due:`` line changed (a body without one says
    nothing of it). Other events (``ping``), actions and repositories (an organization's
    webhook): none."""
    if event_name != "issues":
        return []
    full_name = (payload.get("repository") or {}).get("full_name")
    if isinstance(full_name, str) and full_name.lower() != repo.lower():
        return []
    issue = payload.get("issue")
    if not isinstance(issue, Mapping) or not isinstance(issue.get("number"), int):
        raise ValueError("an issues delivery without its issue")
    action = payload.get("action")
    if action == "edited":
        return _due_edited(payload, issue, received_at=received_at)
    if action not in ("closed", "reopened"):
        return []
    at = parse_time(issue.get("closed_at") if action == "closed" else None) or parse_time(issue.get("updated_at"))
    return [
        TicketEvent(
            Tracker.GITHUB,
            str(issue["number"]),
            str(issue.get("node_id")) if issue.get("node_id") else None,
            at or received_at,
            state=state_of(issue),
            url=str(issue.get("html_url") or "") or None,
        )
    ]


def _due_edited(payload: Mapping[str, Any], issue: Mapping[str, Any], *, received_at: datetime) -> list[TicketEvent]:
    changes = payload.get("changes")
    before = (changes.get("body") or {}).get("from") if isinstance(changes, Mapping) else None
    if not isinstance(before, str):
        return []  # the title or another field was edited, not the body
    body = issue.get("body") if isinstance(issue.get("body"), str) else ""
    due = _DUE_LINE.search(body or "")
    was = _DUE_LINE.search(before)
    if due is None or (was is not None and was.group(1) == due.group(1)):
        return []
    day = parse_day(due.group(1))
    if day is None:
        return []
    return [
        TicketEvent(
            Tracker.GITHUB,
            str(issue["number"]),
            str(issue.get("node_id")) if issue.get("node_id") else None,
            parse_time(issue.get("updated_at")) or received_at,
            due=day,
            url=str(issue.get("html_url") or "") or None,
        )
    ]
