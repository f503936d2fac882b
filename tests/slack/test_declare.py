"""`/incident declare` through Bolt's request path: a new channel, recorded from its first message."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from bot.services.drafts import draft_json
from bot.slack.app import build_app
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from bot.web import create_wsgi_app
from storage.models import DeferredWork, Incident
from tests.conftest import Scribe, settings_for
from tests.support.action_items import run_jobs
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


@contextmanager
def database_fails_once_after_a_channel_is_created(scribe: Scribe) -> Iterator[list[str]]:
    """The database refuses the first write of deferred work made once Slack has created a
    channel (the write that would keep the new channel's id), as an outage or a killed
    process would leave it; the statements refused are listed."""
    engine = scribe.sessions.kw["bind"]
    refused: list[str] = []

    def refuse(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if scribe.fake.channels and not refused and statement.lstrip().upper().startswith("UPDATE DEFERRED_WORK"):
            refused.append(statement)
            raise OperationalError(statement, parameters, Exception("server closed the connection unexpectedly"))

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield refused
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


def rerun_later(scribe: Scribe) -> None:
    """The clock's pass a minute later, when the failed attempt is due again."""
    run_jobs(scribe, (scribe.clock() + timedelta(minutes=1)).isoformat())


def assert_one_channel_recording(scribe: Scribe, title: str) -> None:
    [made] = scribe.fake.channels.values()  # exactly one channel was created, nothing orphaned
    assert made["name"] == "inc-20261129-db-down"
    with scribe.sessions() as session:
        [incident] = session.scalars(select(Incident)).all()
        assert session.scalars(select(DeferredWork.state)).all() == ["done"]
    assert (incident.channel_id, incident.title) == (made["id"], title)
    told = [str(c.params.get("text")) for c in scribe.fake.calls_to("response_url")]
    assert [text for text in told if "is recording" in text] == [
        f":rotating_light: Declared *{title}*: <#{made['id']}> is recording. You're in it."
    ]
    [header] = [c for c in scribe.fake.calls_to("chat.postMessage") if c.params["channel"] == made["id"]]
    assert f"*{title}*" in header.params["text"]


def test_a_database_error_right_after_the_channel_was_created_adopts_that_channel_on_the_rerun(
    scribe: Scribe,
) -> None:
    with database_fails_once_after_a_channel_is_created(scribe) as refused:
        assert scribe.command("declare DB down", channel="CGENERAL", user="U1").status == 200
    assert refused, "the write that keeps the new channel's id was never attempted"
    assert len(scribe.fake.channels) == 1
    with scribe.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0

    rerun_later(scribe)
    rerun_later(scribe)  # and again: nothing more happens
    assert [c.params["name"] for c in scribe.fake.calls_to("conversations.create")] == [
        "inc-20261129-db-down",
        "inc-20261129-db-down",  # answered name_taken: looked up and adopted, no -2
    ]
    assert_one_channel_recording(scribe, "DB down")


def test_a_create_whose_answer_was_lost_is_adopted_on_the_rerun_not_made_again(scribe: Scribe) -> None:
    scribe.fake.lose_answer("conversations.create")  # Slack makes the channel; the answer never arrives
    assert scribe.command("declare DB down", channel="CGENERAL", user="U1").status == 200
    assert len(scribe.fake.channels) == 1
    assert scribe.fake.calls_to("response_url") == []  # nothing to say yet: the work waits for a retry

    rerun_later(scribe)
    assert_one_channel_recording(scribe, "DB down")
    assert all(c.params["name"] == "inc-20261129-db-down" for c in scribe.fake.calls_to("conversations.create"))


def test_a_taken_name_this_declaration_did_not_create_is_skipped_even_when_the_bot_made_it(scribe: Scribe) -> None:
    scribe.answer("declare DB down", channel="CGENERAL", user="U1")
    scribe.fake.lose_answer("conversations.create")  # the second declaration hears nothing back for its name
    assert scribe.command("declare DB down", channel="COTHER", user="U2").status == 200
    rerun_later(scribe)  # the bot made that channel, but for the first declaration: the rerun takes -2
    names = sorted(c["name"] for c in scribe.fake.channels.values())
    assert names == ["inc-20261129-db-down", "inc-20261129-db-down-2"]
    with scribe.sessions() as session:
        channels = sorted(session.scalars(select(Incident.channel_id)).all())
    assert channels == sorted(scribe.fake.channels)  # each channel holds its own incident, none shared


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
