"""Linear, GraphQL (plain query strings; no code generator): a personal API key, or an OAuth
token, with write access to the team ``LINEAR_TEAM_ID``.

Linear names an issue by its uuid (``id``, what webhooks send) and by its identifier
(``ENG-123``, what people type): both are kept. Done here is the team's ``completed`` state
(the first by position); reopened, its first ``unstarted`` one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from bot.core.ticket_info import CANCELED, DONE, OPEN, Tracker
from bot.core.tickets import UNCHANGED, TicketDraft, TicketEvent, description_lines
from bot.trackers.base import (
    TIMEOUT,
    Account,
    Linked,
    RemoteTicket,
    TrackerError,
    Wanted,
    parse_day,
    parse_time,
    send,
)

ISSUE = "id identifier url dueDate updatedAt state { name type } assignee { id }"
BATCH = 250
"""Issues in one query: Linear's largest page."""


def state_of(state_type: Any) -> str:
    if state_type == "completed":
        return DONE
    if state_type == "canceled":
        return CANCELED
    return OPEN


class LinearClient:
    tracker = Tracker.LINEAR

    def __init__(self, account: Account, *, http: httpx.Client | None = None) -> None:
        self.account = account
        self.team_id = account.site
        self.url = account.api_url or "https://api.linear.app/graphql"
        self.http = http or httpx.Client(
            timeout=TIMEOUT, headers={"Authorization": account.token, "Content-Type": "application/json"}
        )

    def _query(self, query: str, variables: Mapping[str, Any], *, what: str, writes: bool = False) -> dict[str, Any]:
        answer = send(
            self.http, "POST", self.url, what=what, writes=writes, json={"query": query, "variables": dict(variables)}
        ).json()
        errors = answer.get("errors") or []
        if errors:
            codes = {str((e.get("extensions") or {}).get("code") or "") for e in errors if isinstance(e, Mapping)}
            message = "; ".join(str(e.get("message")) for e in errors if isinstance(e, Mapping))[:300]
            raise TrackerError(f"{what}: {message}", retryable="RATELIMITED" in codes, may_have_landed=False)
        data: dict[str, Any] = answer.get("data") or {}
        return data

    @staticmethod
    def _ticket(issue: Mapping[str, Any]) -> RemoteTicket:
        state = issue.get("state") or {}
        return RemoteTicket(
            key=str(issue["identifier"]),
            url=str(issue.get("url") or ""),
            remote_id=str(issue["id"]),
            state=state_of(state.get("type")),
            remote_state=state.get("name") if isinstance(state.get("name"), str) else None,
            due=parse_day(issue.get("dueDate")),
            updated_at=parse_time(issue.get("updatedAt")),
        )

    def create(self, draft: TicketDraft) -> RemoteTicket:
        description = "\n".join(description_lines(draft))
        issue_input: dict[str, Any] = {"teamId": self.team_id, "title": draft.title, "description": description}
        if draft.due is not None:
            issue_input["dueDate"] = draft.due.isoformat()
        if draft.assignee:
            issue_input["assigneeId"] = draft.assignee
        made = self._query(
            f"mutation($input: IssueCreateInput!) {{ issueCreate(input: $input) {{ success issue {{ {ISSUE} }} }} }}",
            {"input": issue_input},
            what="create issue",
            writes=True,
        )
        return self._ticket(made["issueCreate"]["issue"])

    def find(self, marker: str, *, since: datetime) -> RemoteTicket | None:
        found = self._query(
            f"query($team: ID!, $marker: String!) {{ issues(first: 5, filter: {{ team: {{ id: {{ eq: $team }} }}, "
            f"description: {{ contains: $marker }} }}) {{ nodes {{ {ISSUE} }} }} }}",
            {"team": self.team_id, "marker": marker},
            what="find issue",
        )
        nodes = found["issues"]["nodes"]
        return self._ticket(nodes[0]) if nodes else None

    def get(self, key: str) -> RemoteTicket:
        found = self._query(f"query($id: String!) {{ issue(id: $id) {{ {ISSUE} }} }}", {"id": key}, what=f"read {key}")
        return self._ticket(found["issue"])

    def user_for_email(self, email: str) -> str | None:
        found = self._query(
            "query($email: String!) { users(filter: { email: { eq: $email } }) { nodes { id } } }",
            {"email": email},
            what="find user",
        )
        nodes = found["users"]["nodes"]
        return str(nodes[0]["id"]) if nodes else None

    def _state_id(self, state_type: str) -> str:
        found = self._query(
            "query($team: String!) { team(id: $team) { states { nodes { id type position } } } }",
            {"team": self.team_id},
            what="read the team's states",
        )
        fitting = sorted(
            (s for s in found["team"]["states"]["nodes"] if s.get("type") == state_type),
            key=lambda s: float(s.get("position") or 0),
        )
        if not fitting:
            raise TrackerError(f"the team has no {state_type} state", retryable=False)
        return str(fitting[0]["id"])

    def push(self, ticket: Linked, wanted: Wanted) -> RemoteTicket:
        now = self.get(ticket.remote_id or ticket.key)
        issue_input: dict[str, Any] = {}
        if (wanted.state == DONE) != (now.state in (DONE, CANCELED)):
            issue_input["stateId"] = self._state_id("completed" if wanted.state == DONE else "unstarted")
        if wanted.due is not None and wanted.due != now.due:
            issue_input["dueDate"] = wanted.due.isoformat()
        if wanted.assignee:
            issue_input["assigneeId"] = wanted.assignee
        if not issue_input:
            return now
        done = self._query(
            f"mutation($id: String!, $input: IssueUpdateInput!) {{ issueUpdate(id: $id, input: $input) "
            f"{{ success issue {{ {ISSUE} }} }} }}",
            {"id": now.remote_id or ticket.key, "input": issue_input},
            what=f"update {ticket.key}",
            writes=True,
        )
        return self._ticket(done["issueUpdate"]["issue"])

    def poll(self, tickets: Sequence[Linked]) -> list[RemoteTicket]:
        found: list[RemoteTicket] = []
        ids = [t.remote_id for t in tickets if t.remote_id]
        for start in range(0, len(ids), BATCH):
            page = self._query(
                f"query($ids: [ID!]) {{ issues(first: {BATCH}, filter: {{ id: {{ in: $ids }} }}) "
                f"{{ nodes {{ {ISSUE} }} }} }}",
                {"ids": ids[start : start + BATCH]},
                what="poll issues",
            )
            found.extend(self._ticket(issue) for issue in page["issues"]["nodes"])
        found.extend(self.get(t.key) for t in tickets if not t.remote_id)
        return found


def parse_webhook(payload: Mapping[str, Any], *, received_at: datetime) -> list[TicketEvent]:
    """An ``Issue`` ``update`` delivery as an event: only the fields ``updatedFrom`` names are
    changes. Other types (comments, projects) and actions: none."""
    if payload.get("type") != "Issue" or payload.get("action") != "update":
        return []
    data = payload.get("data")
    if not isinstance(data, Mapping) or not isinstance(data.get("id"), str):
        raise ValueError("an Issue delivery without its issue")
    before = payload.get("updatedFrom") or {}
    if not isinstance(before, Mapping):
        before = {}
    state = data.get("state") or {}
    assignee = data.get("assignee") or {}
    return [
        TicketEvent(
            Tracker.LINEAR,
            str(data["identifier"]) if isinstance(data.get("identifier"), str) else None,
            data["id"],
            parse_time(data.get("updatedAt")) or parse_time(payload.get("createdAt")) or received_at,
            state=state_of(state.get("type") if isinstance(state, Mapping) else None) if "stateId" in before else None,
            due=parse_day(data.get("dueDate")) if "dueDate" in before else UNCHANGED,
            assignee_email=(assignee.get("email") if isinstance(assignee, Mapping) else None)
            if "assigneeId" in before
            else UNCHANGED,
            url=str(data.get("url") or "") or None,
        )
    ]
