"""A workspace that reinstalls the app gets a new bot token: clients kept for the life of the
process must not go on using the old one, and Slack refusing a token uses nothing up."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.alert_events import AlertAction
from bot.services import outbox
from bot.slack.client import build_client
from bot.slack.delivery import deliver_owed_posts
from bot.slack.oauth import clients
from bot.slack.signin import channel_lists
from storage.alert_link_models import AlertDeclaration
from storage.models import Incident, OutboxMessage
from tests.conftest import Clock, Scribe
from tests.slack import test_alert_routes, test_oauth_install
from tests.slack.test_oauth_install import MultiWorkspace, tokens_used
from tests.support.action_items import run_jobs
from tests.support.alerts import deliver, pagerduty_event

multi = test_oauth_install.multi
routed = test_alert_routes.routed
REFUSED = {"ok": False, "error": "invalid_auth"}


def owe_a_post(multi: MultiWorkspace, key: str, clock: Clock) -> None:
    with multi.sessions.begin() as session:
        outbox.enqueue(
            session, team_id="T111", key=key, kind="message", channel="C1", payload={"text": key}, now=clock()
        )


def test_a_post_refused_for_the_old_token_is_sent_with_the_token_the_workspace_reinstalled_with(
    multi: MultiWorkspace, clock: Clock
) -> None:
    multi.install("T111", "xoxb-before")
    client_for = clients(multi.deps, build_client(None, multi.fake.url))  # held as the web process holds it
    owe_a_post(multi, "first", clock)
    deliver_owed_posts(multi.deps, client_for("T111"), "T111")
    multi.install("T111", "xoxb-after")  # reinstalled: Slack now refuses the old token
    multi.fake.fail("chat.postMessage", 200, body=REFUSED)
    owe_a_post(multi, "second", clock)
    deliver_owed_posts(multi.deps, client_for("T111"), "T111")
    assert tokens_used(multi.fake, "chat.postMessage") == ["xoxb-before", "xoxb-before", "xoxb-after"]
    with multi.sessions() as session:
        states = dict(session.execute(select(OutboxMessage.key, OutboxMessage.state)).all())
    assert states == {"first": "sent", "second": "sent"}
    assert client_for("T111").token == "xoxb-after"


def test_a_refused_token_with_no_newer_one_in_the_store_fails_without_a_second_call(
    multi: MultiWorkspace, clock: Clock
) -> None:
    multi.install("T111", "xoxb-revoked")
    client_for = clients(multi.deps, build_client(None, multi.fake.url))
    multi.fake.fail("chat.postMessage", 200, body={"ok": False, "error": "token_revoked"})
    owe_a_post(multi, "only", clock)
    deliver_owed_posts(multi.deps, client_for("T111"), "T111")
    assert tokens_used(multi.fake, "chat.postMessage") == ["xoxb-revoked"]


def test_the_web_pages_channel_lists_use_the_reinstalled_token(multi: MultiWorkspace) -> None:
    multi.install("T111", "xoxb-before")
    lists_for = channel_lists(multi.deps)
    assert lists_for("T111") is not None
    multi.install("T111", "xoxb-after")
    multi.fake.fail("auth.test", 200, body={"ok": False, "error": "account_inactive"})
    assert lists_for("T111") is not None
    assert tokens_used(multi.fake, "auth.test")[-2:] == ["xoxb-before", "xoxb-after"]


def test_a_route_declaration_refused_for_the_token_waits_and_declares_once_slack_takes_it(
    routed: Scribe,
) -> None:
    routed.clock.set("2026-11-29T13:48:30Z")
    routed.fake.fail("conversations.create", 200, body=REFUSED)
    trigger = pagerduty_event("Q2K7REINSTALL", AlertAction.TRIGGERED, "2026-11-29T13:48:10Z")
    assert deliver(routed.sessions, "T111", trigger, received_at=routed.clock()) == 1
    run_jobs(routed, "2026-11-29T13:48:40Z")
    with routed.sessions() as session:
        assert list(session.scalars(select(Incident))) == []
        [claim] = session.scalars(select(AlertDeclaration))
        assert claim.incident_id is None
    run_jobs(routed, "2026-11-29T14:00:00Z")
    with routed.sessions() as session:
        [incident] = session.scalars(select(Incident))
        [claim] = session.scalars(select(AlertDeclaration))
    assert claim.incident_id == incident.id
    assert len(routed.fake.calls_to("conversations.create")) == 2
