"""Nothing from outside becomes Slack markup: every string field of every payload the tests send
(Slack's events, commands, clicks and forms; each paging tool's webhook; the captured Slack
deliveries beside the repository) replaced in turn by each hostile value, delivered through the
real request path (signed), then the flows that post driven: the draft posted on resolution
with the outbox drained, the owner's DM, the Home tab, a modal, a routed alert's declaration.

Everything the fake Slack was sent, and every HTTP answer, is read as Slack would read it: no
live special mention, no link relabelled, no user or channel mention made of anything but an
id. No answer is a 5xx; each delivery is stored once, however often it arrives.

One case is one payload kind and one hostile value: the database is emptied, the incident set
up, then every field's variant of every payload of the kind is delivered (each made distinct by
its ids and times, so that none is a redelivery of another), and the flows driven once. The
uploaded Markdown file is not mrkdwn and is not read here.
"""

from __future__ import annotations

import copy
import itertools
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main as scribe_cli
from bot.server import http_app
from bot.settings import Settings
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from bot.slack.safe_text import INERT_AT
from storage.alert_models import StoredAlert
from storage.models import Message
from storage.session import make_engine, make_session_factory
from tests.conftest import Clock
from tests.slack.test_declare import submission
from tests.support.action_items import click_payload, home_opened_event
from tests.support.alert_senders import (
    ADA,
    ALERTMANAGER_TOKEN,
    GRAFANA_SECRET,
    OPSGENIE_TOKEN,
    PD_SECRET,
    Senders,
    alertmanager_group,
    grafana_notification,
    opsgenie_action,
    pagerduty_incident_event,
    pagerduty_note_event,
    prometheus_alert,
)
from tests.support.databases import copy_sqlite, empty_all, server_url
from tests.support.fake_slack import FakeSlack
from tests.support.hostile import (
    HOSTILE,
    LONG,
    distinct_slack,
    distinct_starts,
    field_name,
    map_strings,
    markup_problems,
    replaced,
    sent_problems,
    string_fields,
)
from tests.support.slack_requests import (
    SIGNING_SECRET,
    Response,
    SlackRequests,
    command_form,
    event_callback,
    message_event,
)
from tests.support.waiting import outbox_settled, wait_for

GROUPS = {"short": HOSTILE[:-1], "10kB": (LONG,)}
"""One case per kind for the short values together, one for 10 kB (the slow one, kept full size)."""

PUBLIC_URL = "https://scribe.example.com"
SHAPE_FIELDS = frozenset(
    (
        "type",
        "subtype",
        "event_type",
        "resource_type",
        "action",
        "status",
        "channel",
        "channel_type",
        "channel_id",
        "ts",
        "event_ts",
        "thread_ts",
        "deleted_ts",
        "occurred_at",
        "startsAt",
        "endsAt",
        "created_at",
        "team",
        "team_id",
        "api_app_id",
        "token",
        "hidden",
        "bot_id",
        "user",
        "user_id",
        "app_id",
        "authorizations",
        "enterprise_id",
        "previous_message",
        "message",
        "fingerprint",
        "id",
        "alertId",
        "incident_key",
    )
)
"""Fields that say what a delivery is (its kind, where and when, whose): changing one may rightly
make a delivery refused or not stored. Changing any other field changes only the text stored."""
FLOOR = 7_500
FLOOR_WITHOUT_CAPTURED = 3_000
"""When the captured deliveries beside the repository are absent (their cases skip)."""


@dataclass
class Harness:
    """One app for the module, as Slack and the paging tools reach it."""

    slack: SlackRequests
    send: Senders
    fake: FakeSlack
    sessions: sessionmaker[Session]
    clock: Clock
    url: str
    answers: list[Response] = field(default_factory=list)
    tried: int = 0
    cases: int = 0
    fixtures: Path | None = None
    """The captured Slack payloads (the ``fixtures_dir`` fixture), once a case needs them."""

    def command(self, text: str, *, channel: str = "C1", user: str = "U1") -> Response:
        response = self.slack.command(text, channel=channel, user=user)
        wait_for_background()
        self.answers.append(response)
        assert response.status == 200, response.body
        return response

    def count(self, model: Any) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture(scope="module")
def harness(_migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    if server_url():
        url = _migrated_database
    else:
        url = copy_sqlite(Path(_migrated_database), tmp_path_factory.mktemp("hostile") / "scribe.db")
    fake = FakeSlack().start()
    fake.add_user("U1", tz="Europe/Paris", name="Ada")
    fake.add_user("U2", tz="America/New_York", name="Grace")
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    clock = Clock(_at("2026-12-02T14:00:00Z"))
    settings = Settings(
        database_url=url,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.url,
        public_url=PUBLIC_URL,
        announce_channel="CANNOUNCE",
        pagerduty_webhook_secret=(PD_SECRET,),
        opsgenie_webhook_token=(OPSGENIE_TOKEN,),
        alertmanager_webhook_token=(ALERTMANAGER_TOKEN,),
        grafana_webhook_secret=(GRAFANA_SECRET,),
    )
    deps = Deps(settings=settings, sessions=sessions, clock=clock)
    wsgi = http_app(deps)
    yield Harness(SlackRequests(wsgi, response_url=fake.respond_url()), Senders(wsgi), fake, sessions, clock, url)
    wait_for_background()
    deps.writes.close()
    engine.dispose()
    fake.stop()


def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)


# The kinds of payload, each with its setup and its way in.


@dataclass(frozen=True)
class Kind:
    name: str
    payloads: Callable[[Harness], list[dict[str, Any]]]
    deliver: Callable[[Harness, dict[str, Any]], Response]
    distinct: Callable[[dict[str, Any], int], dict[str, Any]]
    stored: Any = None
    """The model whose rows a delivery adds, or None when a delivery is not stored as such."""
    setup: Callable[[Harness], None] = lambda harness: None


def _event(harness: Harness, payload: dict[str, Any]) -> Response:
    return harness.slack.event(payload)


def _form(harness: Harness, payload: dict[str, Any]) -> Response:
    return harness.slack.form(payload)


def _action(harness: Harness, payload: dict[str, Any]) -> Response:
    return harness.slack.action(payload)


COMMANDS = (
    ("C2", "start sev2 Checkout errors"),
    ("C1", "note Rolled back the deploy"),
    ("C1", "cause A retry storm"),
    ("C1", "action <@U2> 2026-12-09 Add a retry budget"),
    ("C1", "update Checkout is recovering"),
    ("C1", "mark mitigated at 14:05 rolled back"),
    ("C1", "role comms <@U2>"),
    ("C1", "link https://acme.pagerduty.com/incidents/Q2K8ZL5W6XQ1TA"),
    ("CGENERAL", "declare sev2 Payments down"),
)
COMMAND_ARGUMENTS = (
    ("C3", "start sev2 {}"),
    ("C1", "note {}"),
    ("C1", "cause {}"),
    ("C1", "factor {}"),
    ("C1", "action <@U2> 2026-12-09 {}"),
    ("C1", "update {}"),
    ("C1", "mark mitigated {}"),
    ("C1", "link {}"),
    ("C1", "star {}"),
    ("CGENERAL", "declare sev2 {}"),
)
"""Besides every field replaced whole, the hostile value as the argument a person types."""


def _commands(harness: Harness) -> list[dict[str, Any]]:
    return [command_form(text, channel=channel, response_url=harness.fake.respond_url()) for channel, text in COMMANDS]


def _distinct_command(form: dict[str, Any], number: int) -> dict[str, Any]:
    return form  # a command is not stored as such; the same command typed twice is done once


def _messages(harness: Harness) -> list[dict[str, Any]]:
    alert_bot = message_event("C1", "1796000000.000100", "FIRING checkout 5xx", user="U1")
    alert_bot.update({"subtype": "bot_message", "bot_id": "B0ALERT", "username": "Alertmanager"})
    alert_bot.pop("user")
    return [
        event_callback(message_event("C1", "1796000000.000100", "Rolled back <https://status.example|status>")),
        event_callback(alert_bot),
    ]


def _clicks(harness: Harness) -> list[dict[str, Any]]:
    return [click_payload("action_item_move_due", 1, user="U2", response_url=harness.fake.respond_url())]


def _forms(harness: Harness) -> list[dict[str, Any]]:
    return [submission("Issuer timeouts", "sev2")]


def _home(harness: Harness) -> list[dict[str, Any]]:
    return [event_callback(home_opened_event("U2"))]


def _captured(harness: Harness) -> list[dict[str, Any]]:
    """The captured deliveries beside the repository, moved into this workspace's incident channel."""
    assert harness.fixtures is not None
    payloads = []
    for path in sorted((harness.fixtures / "slack-payloads").glob("*.json")):
        payload = json.loads(path.read_text())
        event = payload["event"]
        ours: dict[Any, str] = {payload.get("team_id"): "T111", event.get("team"): "T111"}
        for authorization in payload.get("authorizations") or []:
            ours[authorization.get("team_id")] = "T111"
        if isinstance(event.get("channel"), str) and event["channel"].startswith("C"):
            ours[event["channel"]] = "C1"
        ours.pop(None, None)
        payloads.append(_renamed(payload, ours))
    return payloads


def _renamed(payload: dict[str, Any], names: dict[str, str]) -> Any:
    return map_strings(payload, lambda value: names.get(value, value))


def _start(harness: Harness) -> None:
    harness.command("start sev2 Checkout errors", channel="C1")
    harness.command("action <@U2> 2026-12-09 Add a retry budget", channel="C1")


def _route(source: str) -> Callable[[Harness], None]:
    def setup(harness: Harness) -> None:
        assert scribe_cli(["alerts", "route", "add", source, "--declare", "sev2"]) == 0

    return setup


def _linked(link: str, source: str | None = None) -> Callable[[Harness], None]:
    def setup(harness: Harness) -> None:
        harness.command(f"link {link}", channel="C1")
        if source:
            _route(source)(harness)

    return setup


def _pagerduty(harness: Harness) -> list[dict[str, Any]]:
    return [
        pagerduty_incident_event(
            "incident.acknowledged",
            event_id="01DEN5X2B9Y6H5K8M3P1Q7R4TW",
            occurred_at="2026-12-02T13:55:41Z",
            agent=ADA,
        ),
        pagerduty_note_event(event_id="01DEN5X2B9Y6H5K8M3P1Q7R4NT", occurred_at="2026-12-02T13:56:00Z"),
    ]


def _distinct_pagerduty(payload: dict[str, Any], number: int) -> dict[str, Any]:
    varied = copy.deepcopy(payload)
    varied["event"]["id"] = f"{varied['event']['id']}-{number}"
    return varied


def _opsgenie(harness: Harness) -> list[dict[str, Any]]:
    return [opsgenie_action("Acknowledge", updated_at_ns=1_796_219_700_987_654_321)]


def _distinct_opsgenie(payload: dict[str, Any], number: int) -> dict[str, Any]:
    varied = copy.deepcopy(payload)
    varied["alert"]["updatedAt"] += number
    return varied


def _firing() -> dict[str, Any]:
    alert = prometheus_alert(
        "firing", alertname="CheckoutErrors", fingerprint="c4f0e4e0f5a0b8f1", starts_at="2026-12-02T13:47:59Z"
    )
    alert["generatorURL"] = "https://prometheus.example.com/graph?g0.expr=errors"
    return alert


KINDS = (
    Kind("command", _commands, _form, _distinct_command),
    Kind("message", _messages, _event, distinct_slack, Message),
    Kind("captured", _captured, _event, distinct_slack, Message),
    Kind("click", _clicks, _action, lambda payload, number: payload),
    Kind("form", _forms, _action, lambda payload, number: payload),
    Kind("home", _home, _event, distinct_slack),
    Kind(
        "pagerduty",
        _pagerduty,
        lambda harness, payload: harness.send.pagerduty(payload),
        _distinct_pagerduty,
        StoredAlert,
        _linked("https://acme.pagerduty.com/incidents/Q2K8ZL5W6XQ1TA", "pagerduty"),
    ),
    Kind(
        "opsgenie",
        _opsgenie,
        lambda harness, payload: harness.send.opsgenie(payload),
        _distinct_opsgenie,
        StoredAlert,
        _linked("opsgenie:1791", "opsgenie"),
    ),
    Kind(
        "alertmanager",
        lambda harness: [alertmanager_group(_firing())],
        lambda harness, payload: harness.send.alertmanager(payload),
        distinct_starts,
        StoredAlert,
        _linked("alertmanager:CheckoutErrors", "alertmanager"),
    ),
    Kind(
        "grafana",
        lambda harness: [grafana_notification(_firing())],
        lambda harness, payload: harness.send.grafana(payload),
        distinct_starts,
        StoredAlert,
        _linked("grafana:CheckoutErrors"),
    ),
)
CASES = [pytest.param(kind, values, id=f"{kind.name}-{group}") for kind in KINDS for group, values in GROUPS.items()]


def posted_problems(harness: Harness) -> list[str]:
    return sent_problems(harness.fake.calls, harness.answers)


# The case.


def drive_the_flows(harness: Harness) -> None:
    """What posts: the draft on resolution (outbox drained), the Home tab of both people, a
    modal with the action item, and the DMs and declarations the deliveries caused."""
    wait_for_background()
    harness.clock.set("2026-12-02T14:30:00Z")
    harness.command("mark resolved", channel="C1")
    for user in ("U1", "U2"):
        harness.answers.append(harness.slack.event(event_callback(home_opened_event(user))))
    harness.answers.append(
        harness.slack.action(click_payload("action_item_move_due", 1, response_url=harness.fake.respond_url()))
    )
    wait_for_background()
    wait_for(lambda: outbox_settled(harness.sessions), what="the outbox to settle")
    assert harness.fake.calls_to("files.completeUploadExternal"), "the draft was not posted"


def variants(kind: Kind, harness: Harness, values: tuple[str, ...]) -> Iterator[tuple[int, str, str, Any]]:
    """(which payload, the field's name, the value, the payload with that field replaced by the
    value); each variant made distinct first, so that none is a redelivery of another."""
    numbers = itertools.count(1)
    bases = kind.payloads(harness)
    for round_, value in enumerate(values):
        for index, base in enumerate(bases):
            for path in string_fields(base):
                yield index, field_name(path), value, replaced(kind.distinct(base, next(numbers)), path, value)
        if kind.name == "command":
            for channel, text in COMMAND_ARGUMENTS:
                where = f"{channel}{round_}" if channel != "C1" else channel  # a new incident for each value
                form = command_form(text.format(value), channel=where, response_url=harness.fake.respond_url())
                yield -1, "text", value, form


def stored_by_each(kind: Kind, harness: Harness) -> dict[int, int]:
    """How many rows each payload of the kind adds as it is, unchanged (some are rightly not
    stored: a channel join, a DM)."""
    added = {}
    for index, base in enumerate(kind.payloads(harness)):
        before = harness.count(kind.stored)
        assert kind.deliver(harness, kind.distinct(base, 10_000 + index)).status == 200
        added[index] = harness.count(kind.stored) - before
    return added


@pytest.mark.parametrize(("kind", "values"), CASES)
def test_a_hostile_value_in_any_field_never_reaches_slack_as_markup(
    harness: Harness,
    kind: Kind,
    values: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if kind.name == "captured":
        harness.fixtures = request.getfixturevalue("fixtures_dir")
    monkeypatch.setenv("DATABASE_URL", harness.url)
    wait_for_background()
    empty_all(harness.url)
    harness.fake.reset_calls()
    harness.answers.clear()
    harness.clock.set("2026-12-02T14:00:00Z")
    _start(harness)
    kind.setup(harness)
    expected = stored_by_each(kind, harness) if kind.stored is not None else {}
    lost: list[str] = []
    stored = harness.count(kind.stored) if kind.stored is not None else 0
    failed: set[tuple[str, str]] = set()
    for index, name, value, payload in variants(kind, harness, values):
        response = kind.deliver(harness, payload)
        if kind.stored is not StoredAlert:  # a webhook's answer goes to the sender, not to Slack
            harness.answers.append(response)
        harness.tried += 1
        if response.status >= 500:
            failed.add((name, f"{kind.name}[{index}].{name} at {len(value):,} characters: {response.status}"))
            continue
        if kind.stored is None:
            continue
        retried = kind.deliver(harness, payload)  # the sender's retry, as if the answer was lost
        assert retried.status == response.status, f"{kind.name}.{name}: {response.status}, then {retried.status}"
        before, stored = stored, harness.count(kind.stored)
        added = stored - before
        if response.status >= 300:
            assert added == 0, f"{kind.name}[{index}].{name}: refused {response.status} but stored {added}"
        elif added > max(expected[index], 1):  # a field that says what it is may make it a message
            lost.append(f"[{index}].{name}: stored {added} rows, not {expected[index]}")
        elif name not in SHAPE_FIELDS and added < expected[index]:
            lost.append(f"[{index}].{name}: stored {added} of {expected[index]}")
    drive_the_flows(harness)
    harness.cases += 1
    problems = posted_problems(harness)
    assert not failed, "answered 5xx:\n" + "\n".join(sorted(said for _, said in failed))
    assert not lost, f"{kind.name}: answered 2xx but stored other than the payload as it is: {lost}"
    assert not problems, "\n".join(problems[:20])


def test_the_hostile_payloads_tried_are_many(harness: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        sys.stdout.write(f"\nhostile deliveries tried (payloads x fields x values): {harness.tried:,}\n")
    if harness.cases == len(CASES):
        assert harness.tried >= FLOOR
    elif harness.cases == len(CASES) - len(GROUPS) and harness.fixtures is None:
        assert harness.tried >= FLOOR_WITHOUT_CAPTURED
    else:
        pytest.skip(f"only {harness.cases} of {len(CASES)} cases ran")


def test_the_reading_finds_what_slack_would_make_live_and_lets_the_bots_own_links_be() -> None:
    for live in ("<!channel>", "<!here|x>", "<!subteam^S1|@ops>", "<@<!channel>>", "<#C1><!everyone>"):
        assert markup_problems(f"see {live} now"), live
    assert markup_problems("<https://evil.example/a|label>")  # a link relabelled
    assert markup_problems("<javascript:alert(1)|13:50>")  # a link to something else
    assert markup_problems("<https://a.example/\u202egnp.exe|13:50>")  # an address hiding where it goes
    for fine in (
        "<https://acme.slack.com/archives/C1/p1|13:50> <@U2> <#C1> <https://a.example|a.example>",
        f"{INERT_AT}channel &lt;!here&gt; |label \u200b",
        "<https://scribe.example.com/ui/incidents/1|the incident's page>",
    ):
        assert markup_problems(fine) == [], fine
