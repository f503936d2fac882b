"""No length of what Slack sends loses it: every string field of each event and command payload,
made 10 kB long in turn, is answered 200 and kept whole or, for an id longer than Slack makes
them, ignored; what people type is stored whole or refused with the limit, writing nothing.

Run with TEST_DATABASE_URL set: SQLite does not enforce a column's length, PostgreSQL does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.core.slack_ids import ID_FIELDS
from bot.slack.background import wait_for_background
from storage.models import SlackUser, Workspace
from storage.schema import metadata
from tests.conftest import Scribe
from tests.support.long_values import FILLER, Path, cut_values, lengthened, named, string_paths
from tests.support.slack_requests import event_callback

PARENT_TS = "1764428400.000100"
REPLY_TS = "1764428460.000200"

MESSAGE = {
    "type": "message",
    "channel": "C1",
    "user": "U2",
    "text": "p99 graph attached, <@U1> look at the 14:05 spike",
    "ts": REPLY_TS,
    "thread_ts": PARENT_TS,
    "event_ts": REPLY_TS,
    "channel_type": "channel",
    "subtype": "file_share",
    "client_msg_id": "a5a11822-d14e-4621-992b-32d561648aa0",
    "files": [
        {
            "id": "F04EEHX1EES",
            "name": "p99-latency.png",
            "title": "p99 latency, last hour",
            "mimetype": "image/png",
            "user": "U2",
            "url_private": "https://files.slack.com/files-pri/T111-F04EEHX1EES/p99-latency.png",
            "permalink": "https://acme.slack.com/files/U2/F04EEHX1EES/p99-latency.png",
        }
    ],
    "blocks": [
        {
            "type": "rich_text",
            "block_id": "MeAN",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [{"type": "text", "text": "p99 graph attached, "}, {"type": "user", "user_id": "U1"}],
                }
            ],
        }
    ],
}

BOT_MESSAGE = {
    "type": "message",
    "subtype": "bot_message",
    "channel": "C1",
    "bot_id": "B0AMGR1",
    "username": "Alertmanager",
    "text": "",
    "ts": REPLY_TS,
    "event_ts": REPLY_TS,
    "channel_type": "channel",
    "bot_profile": {"id": "B0AMGR1", "app_id": "A0AMGR1", "name": "Alertmanager", "team_id": "T111"},
    "attachments": [
        {
            "fallback": "[FIRING:1] CheckoutErrors (critical checkout)",
            "title": "[FIRING:1] CheckoutErrors",
            "title_link": "http://alertmanager.example.com:9093/#/alerts?receiver=slack",
            "text": "checkout error rate above 5%",
        }
    ],
}

EDIT = {
    "type": "message",
    "subtype": "message_changed",
    "channel": "C1",
    "hidden": True,
    "ts": "1764428520.000300",
    "event_ts": "1764428520.000300",
    "channel_type": "channel",
    "message": {
        "type": "message",
        "user": "U1",
        "text": "db latency is climbing (edited: replica lag too)",
        "ts": PARENT_TS,
        "edited": {"user": "U1", "ts": "1764428520.000300"},
    },
    "previous_message": {"type": "message", "user": "U1", "text": "db latency is climbing", "ts": PARENT_TS},
}

DELETION = {
    "type": "message",
    "subtype": "message_deleted",
    "channel": "C1",
    "hidden": True,
    "deleted_ts": PARENT_TS,
    "ts": "1764428580.000400",
    "event_ts": "1764428580.000400",
    "channel_type": "channel",
    "previous_message": {"type": "message", "user": "U1", "text": "db latency is climbing", "ts": PARENT_TS},
}

REACTION = {
    "type": "reaction_added",
    "user": "U2",
    "reaction": "pushpin",
    "item": {"type": "message", "channel": "C1", "ts": PARENT_TS},
    "item_user": "U1",
    "event_ts": "1764428600.000500",
}

PIN = {
    "type": "pin_added",
    "user": "U2",
    "channel_id": "C1",
    "item": {
        "type": "message",
        "channel": "C1",
        "created_by": "U2",
        "message": {"type": "message", "user": "U1", "text": "db latency is climbing", "ts": PARENT_TS},
    },
    "event_ts": "1764428610.000600",
}

EVENT_BODIES: dict[str, dict[str, Any]] = {
    "file-share-reply": MESSAGE,
    "bot-message": BOT_MESSAGE,
    "edit": EDIT,
    "deletion": DELETION,
    "reaction": REACTION,
    "pin": PIN,
}
EVENTS: dict[str, dict[str, Any]] = {
    name: event_callback(event, event_id=f"Ev{name.upper()}") for name, event in EVENT_BODIES.items()
}

KEPT: set[Path] = {
    ("event", "text"),
    ("event", "username"),
    ("event", "files", 0, "name"),
    ("event", "files", 0, "permalink"),
    ("event", "attachments", 0, "fallback"),
    ("event", "message", "text"),
}
"""What the record keeps of a message: its text (an alert bot's from its attachment), its
author's name when a bot, its files' names and links."""


def event_cases() -> Iterator[Any]:
    for name, payload in EVENTS.items():
        for path in string_paths(payload):
            yield pytest.param(payload, path, id=f"{name}:{named(path)}")


def every_row(scribe: Scribe) -> list[Any]:
    """Every value every table holds."""
    with scribe.sessions() as session:
        return [list(row) for table in metadata.sorted_tables for row in session.execute(select(table)).all()]


def kept_whole(scribe: Scribe) -> bool:
    return any(FILLER in text for text in map(str, every_row(scribe)))


@pytest.fixture
def incident(scribe: Scribe) -> Scribe:
    scribe.clock.set("2025-11-29T15:20:00Z")
    response = scribe.command("start sev2 Checkout errors", channel="C1", user="U1")
    assert response.status == 200, response.body
    parent = {"type": "message", "channel": "C1", "user": "U1", "text": "db latency is climbing", "ts": PARENT_TS}
    assert scribe.slack.event(event_callback({**parent, "event_ts": PARENT_TS})).status == 200
    return scribe


@pytest.mark.parametrize(("payload", "path"), list(event_cases()))
def test_a_10_kb_field_in_any_slack_event_is_answered_200_and_kept_whole_or_the_forged_id_ignored(
    incident: Scribe, payload: dict[str, Any], path: Path
) -> None:
    response = incident.slack.event(lengthened(payload, path))
    wait_for_background()
    assert cut_values(every_row(incident)) == []
    if path == ("type",):  # not an event callback any more: Bolt's own answer, no listener ran
        assert response.status == 404
        return
    assert response.status == 200, response.body
    if path[-1] in ID_FIELDS:
        return  # ignored, or matched nothing: either way answered, so Slack does not deliver it again
    if path in KEPT:
        assert kept_whole(incident), f"{named(path)} was not kept"


COMMAND_FORM = {
    "token": "legacy",
    "team_id": "T111",
    "team_domain": "acme",
    "channel_id": "C7",
    "channel_name": "incident-checkout",
    "user_id": "U1",
    "user_name": "ada",
    "command": "/incident",
    "text": "start sev2 Checkout errors",
    "api_app_id": "A111",
    "response_url": "",
    "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    "enterprise_id": "E111",
    "enterprise_name": "Acme Corp",
    "is_enterprise_install": "false",
}


@pytest.mark.parametrize("path", list(string_paths(COMMAND_FORM)), ids=named)
def test_a_10_kb_field_in_a_slash_command_is_answered_and_never_stored_cut(scribe: Scribe, path: Path) -> None:
    form = lengthened({**COMMAND_FORM, "response_url": scribe.fake.respond_url()}, path)
    response = scribe.slack.request(urlencode(form), content_type="application/x-www-form-urlencoded")
    wait_for_background()
    assert response.status < 500, response.body
    assert cut_values(every_row(scribe)) == []
    if path == ("text",):
        assert response.status == 200
        assert "the limit is 3,000" in response.json()["text"]


TYPED = [
    "start sev2 {}",
    "note {}",
    "mark mitigated at 14:00 UTC {}",
    "action <@U2> 2025-12-05 {}",
    "service {}",
    "link {}",
]


def typed_rows(scribe: Scribe) -> list[Any]:
    """What a typed command writes (not the request bookkeeping that tells a repeat)."""
    with scribe.sessions() as session:
        return [
            list(row)
            for table in metadata.sorted_tables
            if table.name not in ("request_claims", "slack_users", "workspaces")
            for row in session.execute(select(table)).all()
        ]


@pytest.mark.parametrize("template", TYPED)
@pytest.mark.parametrize("chars", [10_240, 2_900])
def test_what_a_person_types_is_kept_whole_or_refused_with_its_limit_writing_nothing(
    incident: Scribe, template: str, chars: int
) -> None:
    incident.answer("action <@U2> 2025-12-05 write the runbook", channel="C1", user="U1")
    before = typed_rows(incident)
    long = template.format(FILLER[: chars - len(template)])
    body = incident.answer(long, channel="C1", user="U1")
    after = typed_rows(incident)
    assert cut_values(after) == []
    if any(FILLER[: chars - len(template)] in str(row) for row in after):
        return  # stored whole
    assert after == before, body["text"]
    assert body.get("response_type", "ephemeral") == "ephemeral"
    assert "limit" in body["text"] or "at most" in body["text"] or "characters" in body["text"], body["text"]


def test_a_10_kb_name_and_zone_of_a_person_and_of_the_workspace_from_the_web_api_are_kept_whole(
    scribe: Scribe,
) -> None:
    scribe.fake.add_user("U4", tz=f"Europe/{FILLER}", name=f"Ada {FILLER}")
    scribe.fake.responses["auth.test"] = {
        "ok": True,
        "url": f"https://acme-{FILLER}.slack.com/",
        "team": f"Acme {FILLER}",
        "team_id": "T111",
        "user": "scribe",
        "user_id": "UBOT",
        "bot_id": "BBOT",
    }
    scribe.clock.set("2025-11-29T15:20:00Z")
    assert scribe.answer("start sev2 Checkout errors", channel="C1", user="U4")["response_type"] == "in_channel"
    scribe.answer("mark detected at 15:05", channel="C1", user="U4")  # an unknown zone reads as UTC
    scribe.answer("postmortem", channel="C1", user="U4")
    with scribe.sessions() as session:
        person = session.get(SlackUser, ("T111", "U4"))
        workspace = session.get(Workspace, "T111")
    assert person is not None
    assert (person.name, person.tz) == (f"Ada {FILLER}", f"Europe/{FILLER}")
    assert workspace is not None
    assert (workspace.name, workspace.url) == (f"Acme {FILLER}", f"https://acme-{FILLER}.slack.com/")
