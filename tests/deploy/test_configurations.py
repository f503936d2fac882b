"""Every configuration of the README's table, deployed as the README writes it: the Procfile's
processes, started with exactly the variables of that row, serving Slack (the fake Web API and
signed requests, or the fake Socket Mode end), a person at the web pages and the paging tools.

One deployment per configuration serves every check of this module; it is stopped afterwards,
whatever happened, and a failing check shows what the processes wrote.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.alert_senders import (
    Senders,
    alertmanager_group,
    grafana_notification,
    opsgenie_action,
    pagerduty_incident_event,
    prometheus_alert,
)
from tests.support.configurations import (
    PUBLIC_URL,
    WEBHOOK_SETTINGS,
    Configuration,
    procfile,
    read_configurations,
)
from tests.support.deployment import TEAM_ID, Deployment, deployed
from tests.support.served import Browser, OverHttp
from tests.support.waiting import wait_for
from tests.support.web_pages import follow_authorize

CONFIGURATIONS = read_configurations()


@pytest.fixture(scope="module", params=CONFIGURATIONS, ids=[c.slug for c in CONFIGURATIONS])
def deployment(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with deployed(request.param, tmp_path_factory.mktemp(request.param.slug)) as running:
        yield running


def now_ts() -> str:
    return f"{time.time():.6f}"


def described(configuration: Configuration) -> str:
    words = [
        "Socket Mode" if configuration.socket else "many workspaces" if configuration.installs else "one workspace"
    ]
    if configuration.signs_in:
        words.append("pages")
    if configuration.webhooks_by_command or set(WEBHOOK_SETTINGS) & set(configuration.variables):
        words.append("webhooks")
    return ", ".join(words)


def test_the_readme_table_has_each_mode_with_and_without_webhooks_and_socket_mode_with_pages() -> None:
    assert {described(configuration) for configuration in CONFIGURATIONS} >= {
        "one workspace",
        "one workspace, webhooks",
        "one workspace, pages",
        "one workspace, pages, webhooks",
        "many workspaces, pages",
        "many workspaces, pages, webhooks",
        "Socket Mode, pages",
    }
    assert len({configuration.slug for configuration in CONFIGURATIONS}) == len(CONFIGURATIONS)


def test_the_health_check_answers(deployment: Deployment) -> None:
    page = Browser(deployment.web_url).get("/healthz")
    assert (page.status, page.text) == (200, "ok\n")


def test_a_command_is_answered_and_its_incident_stored(deployment: Deployment) -> None:
    answer = deployment.command("start sev2 Checkout errors in eu-west", channel="CDEPLOYCMD")
    assert "started incident *Checkout errors in eu-west*" in answer
    [(incident_id, team_id, title, severity)] = deployment.rows(
        "SELECT id, team_id, title, severity FROM incidents WHERE channel_id = 'CDEPLOYCMD'"
    )
    assert (team_id, title, severity) == (TEAM_ID, "Checkout errors in eu-west", "sev2")
    status = deployment.command("status", channel="CDEPLOYCMD")
    assert "*Checkout errors in eu-west* (sev2)" in status
    page = f"{PUBLIC_URL}/ui/incidents/{incident_id}"
    assert (page in status) == ("SCRIBE_PUBLIC_URL" in deployment.env)


def test_a_message_in_an_incident_channel_is_recorded(deployment: Deployment) -> None:
    assert "started incident" in deployment.command("start sev2 Replica lag", channel="CDEPLOYMSG")
    ts = now_ts()
    deployment.message("CDEPLOYMSG", ts, "replica lag is at 40 s")
    assert deployment.rows(
        "SELECT team_id, text FROM messages WHERE channel_id = 'CDEPLOYMSG' AND ts = :ts", ts=ts
    ) == [(TEAM_ID, "replica lag is at 40 s")]


def test_a_person_signs_in_with_slack_and_sees_the_incident_where_the_pages_are_set(deployment: Deployment) -> None:
    person = Browser(deployment.web_url)
    if not deployment.configuration.signs_in:
        page = person.get("/ui/incidents")
        assert page.status == 503
        assert "Sign in with Slack is not set up" in page.text
        return
    deployment.fake.add_channel("CDEPLOYUI")
    assert "started incident" in deployment.command("start sev1 Search is down", channel="CDEPLOYUI")
    deployment.fake.sign_in_as("U1", team_id=TEAM_ID, name="Ada")
    start = person.get("/ui/login/slack")
    assert start.status == 302, start.text
    assert start.location.startswith(deployment.fake.authorize_url())
    back = follow_authorize(start.location)
    public = deployment.env.get("SCRIBE_PUBLIC_URL", deployment.web_url)
    assert back.startswith(f"{public}/ui/login/callback?")
    signed_in = person.get(back)
    assert signed_in.status == 302, signed_in.text

    def listed() -> bool:  # the page reloads itself until Slack's channel lists have been read
        page = person.get(signed_in.location)
        assert page.status == 200, page.text
        return "Search is down" in page.text

    wait_for(listed, timeout=30, interval=0.2, what="the incident on the signed-in person's list")


def deliveries() -> dict[str, dict[str, Any]]:
    """One delivery per sender, in its documented shape."""
    firing = prometheus_alert(
        "firing", alertname="CheckoutErrors", fingerprint="deploy0fp1", starts_at="2026-12-02T13:50:07Z"
    )
    return {
        "pagerduty": pagerduty_incident_event(
            "incident.triggered", event_id="01DEPLOYED", occurred_at="2026-12-02T13:50:07Z"
        ),
        "opsgenie": opsgenie_action("Create", updated_at_ns=1_796_219_407_123_000_000),
        "alertmanager": alertmanager_group(firing),
        "grafana": grafana_notification(firing),
    }


def test_each_configured_sender_delivers_and_its_event_is_stored(deployment: Deployment) -> None:
    send = Senders(OverHttp(deployment.web_url))
    payloads = deliveries()
    if not deployment.webhook_paths:
        assert send.pagerduty(payloads["pagerduty"]).status == 404
        assert deployment.rows("SELECT count(*) FROM alert_events") == [(0,)]
        return
    assert set(deployment.webhook_paths) == set(payloads)
    if deployment.configuration.webhooks_by_command:  # each workspace's own path; the bare one is not served
        assert send.pagerduty(payloads["pagerduty"]).status == 404
    paths = deployment.webhook_paths
    answers = {
        "pagerduty": send.pagerduty(payloads["pagerduty"], path=paths["pagerduty"]),
        "opsgenie": send.opsgenie(payloads["opsgenie"], path=paths["opsgenie"]),
        "alertmanager": send.alertmanager(payloads["alertmanager"], path=paths["alertmanager"]),
        "grafana": send.grafana(payloads["grafana"], path=paths["grafana"]),
    }
    assert {source: answer.status for source, answer in answers.items()} == dict.fromkeys(payloads, 200)
    stored = deployment.rows("SELECT DISTINCT team_id, source FROM alert_events ORDER BY source")
    assert stored == [(TEAM_ID, source) for source in sorted(payloads)]


def test_the_clock_posts_the_weekly_review_once_in_the_channel_chosen_in_slack(deployment: Deployment) -> None:
    assert "clock" in deployment.configuration.processes, "a deployment without the clock sends no review or nudge"
    assert "started incident" in deployment.command("start sev3 Slow builds", channel="CDEPLOYREVIEWED")
    assert "chose this channel" in deployment.command("review here", channel="CDEPLOYREVIEW")
    with deployment.running("clock", procfile()["clock"]):
        post = deployment.wait_for_post("CDEPLOYREVIEW")
    assert post.headers["Authorization"] == f"Bearer {deployment.bot_token}"
    deployment.run("jobs run", "scribe jobs run")  # cron's way, after the clock: nothing is due twice
    assert len(deployment.posts("CDEPLOYREVIEW")) == 1


def test_no_process_logged_an_error(deployment: Deployment) -> None:
    assert deployment.errors() == []
