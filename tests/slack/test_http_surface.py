"""What the HTTP surface answers: signatures, staleness, health, limits, Slack's retries."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.slack.app import build_app
from bot.slack.deps import Deps
from bot.web import create_wsgi_app
from storage.session import make_engine, make_session_factory
from tests.conftest import Scribe
from tests.support.slack_requests import SlackRequests, event_callback, sign


def message_payload(ts: str = "1764428400.000001") -> dict[str, Any]:
    return event_callback({"type": "message", "channel": "C1", "user": "U1", "text": "hello", "ts": ts, "event_ts": ts})


def test_a_request_with_a_bad_signature_is_refused_with_401(scribe: Scribe) -> None:
    response = scribe.slack.event(message_payload(), signature="v0=" + "0" * 64)
    assert response.status == 401


def test_a_request_signed_with_another_secret_is_refused_with_401(scribe: Scribe) -> None:
    body = json.dumps(message_payload())
    now = int(time.time())
    response = scribe.slack.request(
        body, content_type="application/json", timestamp=now, signature=sign(body, now, "not-our-secret")
    )
    assert response.status == 401


def test_a_request_older_than_five_minutes_is_refused_with_401_even_if_correctly_signed(scribe: Scribe) -> None:
    response = scribe.slack.event(message_payload(), timestamp=int(time.time()) - 6 * 60)
    assert response.status == 401


def test_a_slash_command_with_a_bad_signature_is_refused_and_runs_nothing(scribe: Scribe) -> None:
    response = scribe.slack.command("start sev1 Spoofed", signature="v0=deadbeef")
    assert response.status == 401
    with scribe.sessions() as session:
        assert session.execute(text("SELECT count(*) FROM incidents")).scalar() == 0


def test_interactivity_payloads_are_signature_checked_too(scribe: Scribe) -> None:
    response = scribe.slack.action(
        {"type": "block_actions", "team": {"id": "T111"}, "user": {"id": "U1"}, "actions": []}, signature="v0=bad"
    )
    assert response.status == 401


def test_url_verification_is_answered_with_the_challenge(scribe: Scribe) -> None:
    response = scribe.slack.event(
        {
            "type": "url_verification",
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        }
    )
    assert response.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.body


def test_healthz_answers_200_without_a_signature(scribe: Scribe) -> None:
    response = scribe.slack.request("", content_type="text/plain", path="/healthz", method="GET", signature="")
    assert response.status == 200
    assert response.body == "ok\n"


def test_an_unknown_path_is_404(scribe: Scribe) -> None:
    assert scribe.slack.request("", content_type="text/plain", path="/admin", method="GET").status == 404


def test_an_oversized_body_is_refused_before_it_is_read(scribe: Scribe) -> None:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_LENGTH": str(50_000_000),
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(b""),
    }
    statuses: list[str] = []
    scribe.wsgi(environ, lambda status, headers, exc_info=None: statuses.append(status))
    assert statuses == ["413 Content Too Large"]


def test_a_malformed_json_body_is_refused_cleanly(scribe: Scribe) -> None:
    response = scribe.slack.request("{not json", content_type="application/json")
    assert response.status in (400, 401, 404)


def test_an_event_type_no_feature_uses_is_acknowledged_so_slack_does_not_retry_it(scribe: Scribe) -> None:
    payload = event_callback(
        {"type": "channel_rename", "channel": {"id": "C1", "name": "inc-renamed"}, "event_ts": "1764428400.000001"}
    )
    assert scribe.slack.event(payload).status == 200


def test_a_message_event_is_not_acknowledged_when_the_database_cannot_store_it(scribe: Scribe, tmp_path: Path) -> None:
    unreachable = make_session_factory(make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'scribe.db'}"))
    deps = Deps(settings=scribe.settings, sessions=unreachable, clock=scribe.clock)
    slack = SlackRequests(create_wsgi_app(build_app(deps)), response_url=scribe.fake.respond_url())
    response = slack.event(message_payload())
    assert response.status >= 500, "an event that could not be stored must not be acknowledged"


def test_the_bots_own_messages_are_not_recorded_twice(scribe: Scribe) -> None:
    scribe.slack.command("start Database outage", channel="C1")
    own = event_callback(
        {
            "type": "message",
            "channel": "C1",
            "user": "UBOT",
            "bot_id": "BBOT",
            "text": "Detected at 14:05 UTC",
            "ts": "1764428400.000009",
        }
    )
    assert scribe.slack.event(own).status == 200
    with scribe.sessions() as session:
        assert session.execute(text("SELECT count(*) FROM messages")).scalar() == 0


def test_a_mounted_surface_serves_every_path_under_its_prefix_and_nothing_else(scribe: Scribe) -> None:
    seen: list[str] = []

    def mounted(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ["PATH_INFO"])
        start_response("204 No Content", [])
        return [b""]

    wsgi = create_wsgi_app(build_app(scribe.deps), mounts={"/webhooks/": mounted})

    def get(path: str) -> str:
        statuses: list[str] = []
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "wsgi.input": io.BytesIO(b""), "CONTENT_LENGTH": "0"}
        b"".join(wsgi(environ, lambda status, headers, *_: statuses.append(status)))
        return statuses[0]

    assert get("/webhooks/pagerduty") == "204 No Content"
    assert get("/webhooks") == "204 No Content"
    assert get("/webhooksX") != "204 No Content"
    assert get("/healthz") == "200 OK"
    assert seen == ["/webhooks/pagerduty", "/webhooks"]
