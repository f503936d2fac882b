"""`/incident declare` through Bolt's request path: a new channel, recorded from its first message."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select

from bot.services.drafts import draft_json
from bot.slack.app import build_app
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from bot.web import create_wsgi_app
from storage.models import Incident
from tests.conftest import Scribe, settings_for
from tests.support.slack_requests import SlackRequests


def serve_channels(scribe: Scribe, taken: Collection[str] = ()) -> None:
    def create(params: dict[str, Any]) -> dict[str, Any]:
        if params["name"] in taken:
            return {"ok": False, "error": "name_taken"}
        return {"ok": True, "channel": {"id": "C0NEW", "name": params["name"]}}

    scribe.fake.responses["conversations.create"] = create


def with_announce_channel(scribe: Scribe, channel: str) -> None:
    settings = settings_for(scribe.settings.database_url, scribe.fake, announce_channel=channel)
    scribe.deps = Deps(settings=settings, sessions=scribe.sessions, clock=scribe.clock)
    scribe.slack = SlackRequests(create_wsgi_app(build_app(scribe.deps)), response_url=scribe.fake.respond_url())


def test_declare_creates_a_dated_channel_invites_the_declarer_posts_the_header_and_announces(scribe: Scribe) -> None:
    with_announce_channel(scribe, "CANNOUNCE")
    serve_channels(scribe)
    response = scribe.command("declare sev1 Checkout 5xx in EU", channel="CGENERAL", user="U2")
    assert response.status == 200
    assert "Declaring *Checkout 5xx in EU*" in response.json()["text"]  # the answer only accepts it
    [told] = scribe.fake.calls_to("response_url")  # what exists comes after, to the declarer
    assert "<#C0NEW> is recording" in told.params["text"]

    [create] = scribe.fake.calls_to("conversations.create")
    assert create.params["name"] == "inc-20261129-checkout-5xx-in-eu"
    [invite] = scribe.fake.calls_to("conversations.invite")
    assert (invite.params["channel"], invite.params["users"]) == ("C0NEW", "U2")
    posts = {call.params["channel"]: call.params["text"] for call in scribe.fake.calls_to("chat.postMessage")}
    assert "*Checkout 5xx in EU* (sev1)" in posts["C0NEW"]
    assert "/incident mark detected|acknowledged|mitigated|resolved" in posts["C0NEW"]
    assert "<#C0NEW>" in posts["CANNOUNCE"]
    assert "<@U2>" in posts["CANNOUNCE"]

    assert scribe.slack.message("C0NEW", "1795964405.000100", "payments failing in eu-west", user="U2").status == 200
    with scribe.sessions() as session:
        record = draft_json(session, "C0NEW", now=scribe.clock(), settings=scribe.settings)
    assert record["incident"]["title"] == "Checkout 5xx in EU"
    assert record["incident"]["severity"] == "sev1"
    assert [e["text"] for e in record["timeline"] if e["kind"] == "message"] == ["payments failing in eu-west"]


def test_a_taken_name_gets_the_next_number(scribe: Scribe) -> None:
    serve_channels(scribe, taken={"inc-20261129-db-down", "inc-20261129-db-down-2"})
    response = scribe.command("declare DB down", channel="CGENERAL")
    assert response.status == 200
    assert [c.params["name"] for c in scribe.fake.calls_to("conversations.create")] == [
        "inc-20261129-db-down",
        "inc-20261129-db-down-2",
        "inc-20261129-db-down-3",
    ]
    wait_for_background()
    assert (
        scribe.fake.calls_to("chat.postMessage")[0].params["channel"] == "C0NEW"
    )  # no announce channel set: header only
    assert len(scribe.fake.calls_to("chat.postMessage")) == 1


def test_declare_without_a_title_opens_the_form_and_submitting_it_declares(scribe: Scribe) -> None:
    serve_channels(scribe)
    response = scribe.command("declare sev2", channel="CGENERAL")
    assert response.status == 200
    [opened] = scribe.fake.calls_to("views.open")
    view = opened.params["view"]
    view = view if isinstance(view, dict) else json.loads(view)
    assert view["callback_id"] == "incident_declare"
    assert view["blocks"][1]["element"]["initial_option"]["value"] == "sev2"

    submitted = scribe.slack.action(submission("Search is slow", "sev2"))
    assert submitted.status == 200
    assert submitted.body in ("", "{}") or "errors" not in submitted.body
    wait_for_background()
    [create] = scribe.fake.calls_to("conversations.create")
    assert create.params["name"] == "inc-20261129-search-is-slow"
    with scribe.sessions() as session:
        record = draft_json(session, "C0NEW", now=scribe.clock(), settings=scribe.settings)
    assert (record["incident"]["title"], record["incident"]["severity"]) == ("Search is slow", "sev2")


def test_a_form_without_a_title_is_answered_with_an_error_on_the_field(scribe: Scribe) -> None:
    response = scribe.slack.action(submission("   ", None))
    assert response.status == 200
    assert response.json()["response_action"] == "errors"
    assert "title" in response.json()["errors"]
    assert scribe.fake.calls_to("conversations.create") == []


def test_when_slack_refuses_the_channel_the_declarer_is_told_why(scribe: Scribe) -> None:
    scribe.fake.responses["conversations.create"] = {"ok": False, "error": "restricted_action"}
    assert scribe.command("declare DB down", channel="CGENERAL").status == 200
    [told] = scribe.fake.calls_to("response_url")
    assert "restricted_action" in told.params["text"]
    assert "no channel was made" in told.params["text"]
    assert "/incident start" in told.params["text"]
    with scribe.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0


def submission(title: str, severity: str | None) -> dict[str, Any]:
    selected = (
        {"selected_option": {"value": severity, "text": {"type": "plain_text", "text": str(severity).upper()}}}
        if severity
        else {"selected_option": None}
    )
    return {
        "type": "view_submission",
        "team": {"id": "T111", "domain": "acme"},
        "user": {"id": "U1", "username": "ada", "team_id": "T111"},
        "api_app_id": "A111",
        "token": "legacy",
        "trigger_id": "123.456.abc",
        "view": {
            "id": "V1",
            "team_id": "T111",
            "type": "modal",
            "callback_id": "incident_declare",
            "private_metadata": "CGENERAL",
            "state": {
                "values": {
                    "title": {"title_input": {"type": "plain_text_input", "value": title}},
                    "severity": {"severity_select": {"type": "static_select", **selected}},
                }
            },
            "hash": "1.abc",
            "app_id": "A111",
            "bot_id": "BBOT",
        },
    }
