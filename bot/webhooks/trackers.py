"""``POST /webhooks/jira|github|linear[/<team id>]``: a tracker telling us a ticket changed.

Authenticated first (401, nothing stored), then read (400), then stored with what it changes
in one transaction before the answer (503 when the database cannot take it, so the tracker
retries); a redelivery (same delivery id, or same body when there is none) changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.tickets import TicketEvent
from bot.core.webhook_signatures import hub_signed, linear_fresh, linear_signed
from bot.services.tickets import Render
from bot.services.tracker_webhooks import (
    TrackerCredentials,
    delivery_key,
    record_tracker_delivery,
    tracker_credentials,
)
from bot.services.webhook_endpoints import OperatorWebhooks
from bot.trackers import github, jira, linear
from bot.webhooks.payloads import refusal_reason

log = logging.getLogger(__name__)

TRACKERS = ("jira", "github", "linear")
WHAT_PROVES = {"jira": "X-Hub-Signature", "github": "X-Hub-Signature-256", "linear": "Linear-Signature"}
DELIVERY_HEADER = {
    "jira": "HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER",
    "github": "HTTP_X_GITHUB_DELIVERY",
    "linear": "HTTP_LINEAR_DELIVERY",
}

Answer = tuple[str, dict[str, Any]]


def handle(
    tracker: str,
    team_id: str | None,
    environ: Mapping[str, Any],
    body: bytes,
    *,
    sessions: sessionmaker[Session],
    operator: OperatorWebhooks,
    now: datetime,
    render: Render | None,
    after_answer: Callable[[str], None] | None,
) -> Answer:
    try:
        with sessions() as session:
            credentials = tracker_credentials(session, operator, tracker=tracker, team_id=team_id)
    except SQLAlchemyError:
        log.exception("could not read the %s webhook secret", tracker)
        return "503 Service Unavailable", {"error": "database unavailable, retry"}
    if credentials is None and operator.team_not_known_yet(path_team=team_id, configured=tracker in operator.trackers):
        log.warning("a %s delivery came before the workspace is known; asking the sender to retry", tracker)
        return "503 Service Unavailable", {"error": "workspace not known yet, retry"}
    if credentials is None:
        return "404 Not Found", {"error": f"the {tracker} webhook is not configured here"}
    if not _signed(tracker, credentials, environ, body):
        log.warning("refused a %s delivery: bad or missing %s", tracker, WHAT_PROVES[tracker])
        return "401 Unauthorized", {"error": f"bad or missing {WHAT_PROVES[tracker]}"}
    try:
        payload = json.loads(body)
        if not isinstance(payload, Mapping):
            raise ValueError("the body is not a JSON object")
    except (ValueError, RecursionError) as error:
        return "400 Bad Request", {"error": refusal_reason(error)}
    if tracker == "linear" and not linear_fresh(payload.get("webhookTimestamp"), now=now):
        log.warning("refused a linear delivery: webhookTimestamp missing or not within 60 s")
        return "401 Unauthorized", {"error": "webhookTimestamp missing or not within 60 s"}
    try:
        events = _events(tracker, payload, environ, credentials, now)
    except (ValueError, KeyError, TypeError) as error:
        return "400 Bad Request", {"error": f"not a {tracker} issue delivery: {str(error)[:200]}"}
    try:
        with sessions.begin() as session:
            applied = record_tracker_delivery(
                session,
                team_id=credentials.team_id,
                tracker=tracker,
                delivery=delivery_key(environ.get(DELIVERY_HEADER[tracker]), body),
                body=body.decode(),
                events=events,
                now=now,
                render=render,
            )
    except SQLAlchemyError:
        log.exception("could not store a %s delivery", tracker)
        return "503 Service Unavailable", {"error": "database unavailable, retry"}
    log.info("%s delivery: %d events, %s applied", tracker, len(events), applied)
    if applied and after_answer is not None:
        after_answer(credentials.team_id)
    return "200 OK", {"ok": True, "events": len(events), "applied": applied or 0, "redelivery": applied is None}


def _signed(tracker: str, credentials: TrackerCredentials, environ: Mapping[str, Any], body: bytes) -> bool:
    if tracker == "jira":
        return hub_signed(body, environ.get("HTTP_X_HUB_SIGNATURE"), [credentials.secret])
    if tracker == "github":
        return hub_signed(body, environ.get("HTTP_X_HUB_SIGNATURE_256"), [credentials.secret])
    return linear_signed(body, environ.get("HTTP_LINEAR_SIGNATURE"), [credentials.secret])


def _events(
    tracker: str,
    payload: Mapping[str, Any],
    environ: Mapping[str, Any],
    credentials: TrackerCredentials,
    now: datetime,
) -> Sequence[TicketEvent]:
    if tracker == "jira":
        return jira.parse_webhook(payload, received_at=now)
    if tracker == "github":
        return github.parse_webhook(environ.get("HTTP_X_GITHUB_EVENT"), payload, repo=credentials.site, received_at=now)
    return linear.parse_webhook(payload, received_at=now)
