"""Jira Cloud, GitHub and Linear webhook deliveries as each sends them: bodies written from
their documented formats (Jira's ``jira:issue_updated`` with its changelog, GitHub's ``issues``
event, Linear's ``Issue`` data-change webhook with ``updatedFrom``), signed as each signs."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.support.alert_senders import Senders, hex_hmac
from tests.support.slack_requests import Response


def jira_issue_updated(
    key: str,
    *,
    issue_id: str,
    timestamp_ms: int,
    status: tuple[str, str] | None = None,
    resolution: str | None = None,
    duedate: str | None = None,
    changed: tuple[str, ...] = ("status",),
    summary: str = "Add an alert on queue depth",
    assignee_email: str | None = None,
) -> dict[str, Any]:
    """``status`` is (name, category key): ("Done", "done"), ("To Do", "new") …"""
    name, category = status or ("To Do", "new")
    return {
        "timestamp": timestamp_ms,
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Ada Lovelace", "active": True},
        "issue": {
            "id": issue_id,
            "self": f"https://acme.atlassian.net/rest/api/2/{issue_id}",
            "key": key,
            "fields": {
                "summary": summary,
                "status": {
                    "self": "https://acme.atlassian.net/rest/api/2/status/10001",
                    "name": name,
                    "id": "10001",
                    "statusCategory": {"id": 3, "key": category, "colorName": "green", "name": name},
                },
                "resolution": {"name": resolution, "id": "10000"} if resolution else None,
                "duedate": duedate,
                "assignee": {"accountId": "acc-x", "emailAddress": assignee_email, "displayName": "Someone"}
                if assignee_email
                else None,
                "labels": ["incident", "sev2"],
                "updated": "2026-11-29T15:30:00.000+0000",
                "project": {"key": key.split("-")[0], "name": "Operations"},
            },
        },
        "changelog": {
            "id": "10105",
            "items": [
                {"field": field, "fieldtype": "jira", "from": None, "fromString": None, "to": None, "toString": name}
                for field in changed
            ],
        },
    }


def github_issues_event(
    action: str,
    number: int,
    *,
    state: str,
    state_reason: str | None,
    updated_at: str,
    closed_at: str | None = None,
    repo: str = "acme/api",
    body: str = "Add an alert on queue depth",
    body_before: str | None = None,
) -> dict[str, Any]:
    return {
        "action": action,
        **({"changes": {"body": {"from": body_before}}} if body_before is not None else {}),
        "issue": {
            "url": f"https://api.github.com/repos/{repo}/issues/{number}",
            "html_url": f"https://github.com/{repo}/issues/{number}",
            "id": 1000 + number,
            "node_id": f"I_node{number}",
            "number": number,
            "title": "Add an alert on queue depth",
            "user": {"login": "ada", "id": 1},
            "labels": [{"name": "incident"}],
            "state": state,
            "state_reason": state_reason,
            "assignee": None,
            "assignees": [],
            "created_at": "2026-11-29T15:00:00Z",
            "updated_at": updated_at,
            "closed_at": closed_at,
            "body": body,
        },
        "repository": {"id": 42, "name": repo.split("/")[1], "full_name": repo, "private": True},
        "sender": {"login": "ada", "id": 1},
    }


def linear_issue_update(
    issue: dict[str, Any],
    *,
    state: tuple[str, str],
    updated_at: str,
    webhook_timestamp_ms: int,
    updated_from: dict[str, Any] | None = None,
    due_date: str | None = None,
) -> dict[str, Any]:
    """``state`` is (name, type): ("Done", "completed"), ("Canceled", "canceled") …"""
    return {
        "action": "update",
        "type": "Issue",
        "createdAt": updated_at,
        "data": {
            "id": issue["id"],
            "identifier": issue["identifier"],
            "title": issue["title"],
            "url": issue["url"],
            "number": int(issue["identifier"].split("-")[1]),
            "dueDate": due_date if due_date is not None else issue.get("dueDate"),
            "updatedAt": updated_at,
            "stateId": "state-x",
            "state": {"id": "state-x", "name": state[0], "type": state[1], "color": "#5e6ad2"},
            "teamId": "team-eng",
            "team": {"id": "team-eng", "key": "ENG", "name": "Engineering"},
        },
        "updatedFrom": updated_from if updated_from is not None else {"stateId": "state-todo", "updatedAt": "x"},
        "url": issue["url"],
        "organizationId": "org-1",
        "webhookTimestamp": webhook_timestamp_ms,
        "webhookId": "webhook-1",
    }


class TrackerSenders(Senders):
    def jira(
        self, payload: dict[str, Any] | bytes, *, secret: str, path: str = "/webhooks/jira", delivery: str | None = None
    ) -> Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {
            "X-Hub-Signature": f"sha256={hex_hmac(secret, body)}",
            "X-Atlassian-Webhook-Identifier": delivery or str(uuid.uuid4()),
        }
        return self.post(path, body, headers)

    def github(
        self,
        payload: dict[str, Any] | bytes,
        *,
        secret: str,
        event: str = "issues",
        path: str = "/webhooks/github",
        delivery: str | None = None,
    ) -> Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {
            "X-Hub-Signature-256": f"sha256={hex_hmac(secret, body)}",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        }
        return self.post(path, body, headers)

    def linear(
        self,
        payload: dict[str, Any] | bytes,
        *,
        secret: str,
        path: str = "/webhooks/linear",
        delivery: str | None = None,
    ) -> Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {
            "Linear-Signature": hex_hmac(secret, body),
            "Linear-Delivery": delivery or str(uuid.uuid4()),
            "Linear-Event": "Issue",
        }
        return self.post(path, body, headers)
