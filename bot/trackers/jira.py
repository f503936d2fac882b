"""Jira Cloud, REST v3: basic auth with an email and an API token.

New tickets go to the project ``JIRA_PROJECT`` as a Task with an Atlassian Document Format
description, labels without spaces (``incident``, the severity, the item's marker), ``duedate``
and the assignee by accountId (``user/search`` by the owner's email). Done here is the
transition into the ``done`` status category; reopened, one out of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from bot.core.ticket_info import CANCELED, DONE, OPEN, Tracker
from bot.core.tickets import UNCHANGED, TicketDraft, TicketEvent, description_lines
from bot.trackers.base import TIMEOUT, Account, Linked, RemoteTicket, TrackerError, Wanted, parse_day, parse_time, send

FIELDS = "status,resolution,duedate,updated,assignee"
BATCH = 100
"""Keys in one ``key in (…)`` search: Jira returns at most 100 issues a page."""
NOT_DONE_RESOLUTIONS = frozenset({"won't do", "won't fix", "declined", "duplicate", "cannot reproduce", "canceled"})
NOT_DONE_STATUSES = frozenset({"canceled", "cancelled", "won't do", "declined", "rejected"})


def adf(lines: Sequence[str]) -> dict[str, Any]:
    """Plain lines as an Atlassian Document Format document: one paragraph each (ADF refuses
    an empty text node, so a blank line is an empty paragraph)."""
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []} for line in lines
        ],
    }


def state_of(fields: Mapping[str, Any]) -> tuple[str, str | None]:
    """open, done or canceled, and Jira's name of the status."""
    status = fields.get("status") or {}
    name = status.get("name") if isinstance(status.get("name"), str) else None
    category = ((status.get("statusCategory") or {}).get("key")) if isinstance(status, Mapping) else None
    if category != "done":
        return OPEN, name
    resolution = fields.get("resolution") or {}
    resolved = str(resolution.get("name") or "").lower() if isinstance(resolution, Mapping) else ""
    if resolved in NOT_DONE_RESOLUTIONS or (name or "").lower() in NOT_DONE_STATUSES:
        return CANCELED, name
    return DONE, name


class JiraClient:
    tracker = Tracker.JIRA

    def __init__(self, account: Account, *, http: httpx.Client | None = None) -> None:
        self.account = account
        self.base = account.site.rstrip("/")
        self.http = http or httpx.Client(
            auth=(account.login or "", account.token), timeout=TIMEOUT, headers={"Accept": "application/json"}
        )

    def _ticket(self, issue: Mapping[str, Any]) -> RemoteTicket:
        fields = issue.get("fields") or {}
        state, name = state_of(fields)
        key = str(issue["key"])
        return RemoteTicket(
            key=key,
            url=f"{self.base}/browse/{key}",
            remote_id=str(issue.get("id")) if issue.get("id") is not None else None,
            state=state,
            remote_state=name,
            due=parse_day(fields.get("duedate")),
            updated_at=parse_time(fields.get("updated")),
        )

    def create(self, draft: TicketDraft) -> RemoteTicket:
        fields: dict[str, Any] = {
            "project": {"key": self.account.project},
            "summary": draft.title,
            "issuetype": {"name": "Task"},
            "description": adf(description_lines(draft)),
            "labels": list(draft.labels),
        }
        if draft.due is not None:
            fields["duedate"] = draft.due.isoformat()
        if draft.assignee:
            fields["assignee"] = {"id": draft.assignee}
        made = send(
            self.http,
            "POST",
            f"{self.base}/rest/api/3/issue",
            what="create issue",
            writes=True,
            json={"fields": fields},
        ).json()
        key = str(made["key"])
        return RemoteTicket(key, f"{self.base}/browse/{key}", str(made.get("id")), OPEN, None, draft.due)

    def _search(self, jql: str, *, limit: int = BATCH) -> list[RemoteTicket]:
        found: list[RemoteTicket] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"jql": jql, "fields": FIELDS, "maxResults": limit}
            if token:
                params["nextPageToken"] = token
            page = send(self.http, "GET", f"{self.base}/rest/api/3/search/jql", what="search", params=params).json()
            found.extend(self._ticket(issue) for issue in page.get("issues") or ())
            token = page.get("nextPageToken")
            if not token or page.get("isLast", True):
                return found

    def find(self, marker: str, *, since: datetime) -> RemoteTicket | None:
        found = self._search(f'project = "{self.account.project}" AND labels = "{marker}"', limit=5)
        return found[0] if found else None

    def get(self, key: str) -> RemoteTicket:
        issue = send(
            self.http, "GET", f"{self.base}/rest/api/3/issue/{key}", what=f"read {key}", params={"fields": FIELDS}
        ).json()
        return self._ticket(issue)

    def user_for_email(self, email: str) -> str | None:
        people = send(
            self.http, "GET", f"{self.base}/rest/api/3/user/search", what="find user", params={"query": email}
        ).json()
        for person in people if isinstance(people, list) else ():
            if person.get("accountType", "atlassian") == "atlassian" and person.get("accountId"):
                return str(person["accountId"])
        return None

    def push(self, ticket: Linked, wanted: Wanted) -> RemoteTicket:
        now = self.get(ticket.key)
        if (wanted.state == DONE) != (now.state in (DONE, CANCELED)):
            self._transition(ticket.key, into_done=wanted.state == DONE)
        fields: dict[str, Any] = {}
        if wanted.due is not None and wanted.due != now.due:
            fields["duedate"] = wanted.due.isoformat()
        if wanted.assignee:
            fields["assignee"] = {"id": wanted.assignee}
        if fields:
            send(
                self.http,
                "PUT",
                f"{self.base}/rest/api/3/issue/{ticket.key}",
                what=f"update {ticket.key}",
                writes=True,
                json={"fields": fields},
            )
        return self.get(ticket.key)

    def _transition(self, key: str, *, into_done: bool) -> None:
        url = f"{self.base}/rest/api/3/issue/{key}/transitions"
        offered = send(self.http, "GET", url, what=f"transitions of {key}").json().get("transitions") or []

        def category(t: Mapping[str, Any]) -> str:
            return str(((t.get("to") or {}).get("statusCategory") or {}).get("key") or "")

        if into_done:
            fitting = [t for t in offered if category(t) == "done"]
        else:
            fitting = sorted(
                (t for t in offered if category(t) not in ("done", "")), key=lambda t: category(t) != "new"
            )
        if not fitting:
            where = "into" if into_done else "out of"
            raise TrackerError(f"{key}: the workflow offers no transition {where} Done", retryable=False)
        send(self.http, "POST", url, what=f"move {key}", writes=True, json={"transition": {"id": fitting[0]["id"]}})

    def poll(self, tickets: Sequence[Linked]) -> list[RemoteTicket]:
        found: list[RemoteTicket] = []
        keys = [t.key for t in tickets]
        for start in range(0, len(keys), BATCH):
            chunk = ", ".join(f'"{k}"' for k in keys[start : start + BATCH])
            found.extend(self._search(f"key in ({chunk})"))
        return found


def parse_webhook(payload: Mapping[str, Any], *, received_at: datetime) -> list[TicketEvent]:
    """A ``jira:issue_updated`` delivery as an event: only the fields its changelog names are
    changes (an edit of the summary says nothing about the state). Other events: none."""
    if payload.get("webhookEvent") != "jira:issue_updated":
        return []
    issue = payload.get("issue")
    if not isinstance(issue, Mapping) or not isinstance(issue.get("key"), str):
        raise ValueError("a jira:issue_updated delivery without its issue")
    fields = issue.get("fields") or {}
    changed = {
        str(item.get("field") or "").lower()
        for item in ((payload.get("changelog") or {}).get("items") or ())
        if isinstance(item, Mapping)
    }
    stamp = payload.get("timestamp")
    at = (
        datetime.fromtimestamp(stamp / 1000, tz=UTC)
        if isinstance(stamp, int | float)
        else parse_time(fields.get("updated")) or received_at
    )
    state = state_of(fields)[0] if changed & {"status", "resolution"} else None
    assignee = fields.get("assignee") or {}
    return [
        TicketEvent(
            Tracker.JIRA,
            issue["key"],
            str(issue.get("id")) if issue.get("id") is not None else None,
            at,
            state=state,
            due=parse_day(fields.get("duedate")) if "duedate" in changed else UNCHANGED,
            assignee_email=(assignee.get("emailAddress") if isinstance(assignee, Mapping) else None)
            if "assignee" in changed
            else UNCHANGED,
        )
    ]
