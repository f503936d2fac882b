"""``POST /webhooks/<source>[/<team id>]``: authenticate, translate, store, then answer.

Answers: 200 once every event is stored (a redelivery too: nothing new is stored); 401 when the
signature or token is missing or wrong; 404 for a source nobody configured on this path; 400
for a body that is not JSON or not the sender's shape; 413 over 1 MB; 503 when the database
cannot take the write, so the sender retries (4xx would make PagerDuty drop the event).
No Slack call happens before the answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.alert_events import AlertEvent, AlertSource
from bot.core.webhook_signatures import bearer_matches, grafana_signed, pagerduty_signed
from bot.logs import tag_request
from bot.services import alert_routes  # noqa: F401  (its routes declare incidents from new events)
from bot.services.alert_intake import record_alert_events
from bot.services.tickets import Render
from bot.services.webhook_endpoints import Credentials, OperatorWebhooks, credentials_for
from bot.webhooks import alertmanager, grafana, opsgenie, pagerduty, trackers
from bot.webhooks.payloads import NotThisSendersPayload, refusal_reason

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
"""Bigger bodies are refused (413) before they are read. PagerDuty sends at most 256 KB."""

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_webhooks_app(
    *,
    sessions: sessionmaker[Session],
    operator: OperatorWebhooks,
    clock: Callable[[], datetime] = _utc_now,
    after_answer: Callable[[str], None] | None = None,
    render_ticket_line: Render | None = None,
) -> WsgiApp:
    """The WSGI app mounted at ``/webhooks/`` (bot/web.py's ``mounts``).

    ``after_answer(team_id)`` is called once a delivery with new events is stored, to start the
    work it may have owed (a route's declaration) without waiting for the clock; it must not
    block: the sender is still waiting for its answer."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        parts = [p for p in environ.get("PATH_INFO", "").split("/") if p][1:]  # after "webhooks"
        if 1 <= len(parts) <= 2 and parts[0] in trackers.TRACKERS:
            return _tracker(parts[0], parts[1] if len(parts) == 2 else None, environ, start_response)
        try:
            source = AlertSource(parts[0]) if 1 <= len(parts) <= 2 else None
        except ValueError:
            source = None
        if source is None:
            return _answer(start_response, "404 Not Found", {"error": "no such webhook"})
        team_id = parts[1] if len(parts) == 2 else None
        tag_request(team=team_id or operator.team_id, channel=None, event=f"webhook:{source}")
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, "405 Method Not Allowed", {"error": "POST only"}, [("Allow", "POST")])
        body = _read_body(environ)
        if body is None:
            return _answer(start_response, "413 Content Too Large", {"error": "body over 1 MB"})
        now = clock()
        try:
            with sessions() as session:
                credentials = credentials_for(session, operator, source=source, team_id=team_id)
        except SQLAlchemyError:
            log.exception("could not read the webhook secrets")
            return _answer(start_response, "503 Service Unavailable", {"error": "database unavailable, retry"})
        if credentials is None and operator.team_not_known_yet(
            path_team=team_id, configured=bool(operator.secrets.get(source))
        ):
            log.warning("a %s delivery came before the workspace is known; asking the sender to retry", source)
            return _answer(start_response, "503 Service Unavailable", {"error": "workspace not known yet, retry"})
        if credentials is None:
            return _answer(start_response, "404 Not Found", {"error": f"the {source} webhook is not configured here"})
        if not _authentic(source, credentials, environ, body, now):
            log.warning("refused a %s delivery: bad or missing %s", source, _WHAT_PROVES[source])
            return _answer(start_response, "401 Unauthorized", {"error": f"bad or missing {_WHAT_PROVES[source]}"})
        try:
            payload = json.loads(body)
            if not isinstance(payload, Mapping):
                raise NotThisSendersPayload("the body is not a JSON object")
            events = _translate(source, payload, environ, now)
            raw_body = body.decode()
        except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError, NotThisSendersPayload
            log.warning("refused a %s delivery: %s", source, refusal_reason(error))
            return _answer(start_response, "400 Bad Request", {"error": refusal_reason(error)})
        try:
            with sessions.begin() as session:
                stored = record_alert_events(
                    session, team_id=credentials.team_id, source=source, events=events, raw_body=raw_body, now=now
                )
        except SQLAlchemyError:
            log.exception("could not store a %s delivery", source)
            return _answer(start_response, "503 Service Unavailable", {"error": "database unavailable, retry"})
        log.info("%s delivery: %d events, %d new", source, len(events), len(stored))
        if stored and after_answer is not None:
            after_answer(credentials.team_id)
        return _answer(start_response, "200 OK", {"ok": True, "events": len(events), "new": len(stored)})

    def _tracker(
        tracker: str, team_id: str | None, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        tag_request(team=team_id or operator.team_id, channel=None, event=f"webhook:{tracker}")
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, "405 Method Not Allowed", {"error": "POST only"}, [("Allow", "POST")])
        body = _read_body(environ)
        if body is None:
            return _answer(start_response, "413 Content Too Large", {"error": "body over 1 MB"})
        status, answer = trackers.handle(
            tracker,
            team_id,
            environ,
            body,
            sessions=sessions,
            operator=operator,
            now=clock(),
            render=render_ticket_line,
            after_answer=after_answer,
        )
        return _answer(start_response, status, answer)

    return app


_WHAT_PROVES = {
    AlertSource.PAGERDUTY: "X-PagerDuty-Signature",
    AlertSource.OPSGENIE: "bearer token",
    AlertSource.ALERTMANAGER: "bearer token",
    AlertSource.GRAFANA: "X-Grafana-Alerting-Signature",
}


def _authentic(
    source: AlertSource, credentials: Credentials, environ: Mapping[str, Any], body: bytes, now: datetime
) -> bool:
    values = [secret.value for secret in credentials.secrets]
    if source is AlertSource.PAGERDUTY:
        return pagerduty_signed(body, environ.get("HTTP_X_PAGERDUTY_SIGNATURE"), values)
    if source is AlertSource.GRAFANA:
        signature = environ.get("HTTP_X_GRAFANA_ALERTING_SIGNATURE")
        return any(
            grafana_signed(
                body,
                signature,
                [secret.value],
                timestamp=environ.get(_environ_key(secret.timestamp_header)) if secret.timestamp_header else None,
                timestamped=secret.timestamp_header is not None,
                now=now,
            )
            for secret in credentials.secrets
        )
    return bearer_matches(environ.get("HTTP_AUTHORIZATION"), values)


def _translate(
    source: AlertSource, payload: Mapping[str, Any], environ: Mapping[str, Any], now: datetime
) -> Sequence[AlertEvent]:
    if source is AlertSource.PAGERDUTY:
        return pagerduty.parse(payload, webhook_id=environ.get("HTTP_X_WEBHOOK_ID"))
    if source is AlertSource.OPSGENIE:
        return opsgenie.parse(payload)
    if source is AlertSource.ALERTMANAGER:
        return alertmanager.parse(payload, received_at=now)
    return grafana.parse(payload, received_at=now)


def _environ_key(header: str) -> str:
    return "HTTP_" + header.strip().upper().replace("-", "_")


def _read_body(environ: Mapping[str, Any]) -> bytes | None:
    """The raw body, or None when it is over the limit (told by Content-Length, or found by
    reading one byte past the limit when the length is not given)."""
    stream = environ.get("wsgi.input")
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length > MAX_BODY_BYTES:
        return None
    if stream is None:
        return b""
    body: bytes = stream.read(length) if length >= 0 else stream.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def _answer(
    start_response: StartResponse, status: str, body: Mapping[str, Any], headers: Sequence[tuple[str, str]] = ()
) -> list[bytes]:
    data = (json.dumps(body) + "\n").encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers])
    return [data]
