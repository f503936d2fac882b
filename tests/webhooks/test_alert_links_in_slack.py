"""A sender's link reaches Slack only as a link the bot wrote: a webhook delivery, then the draft
posted to the fake Slack on resolution, read as Slack received it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from bot.slack.background import wait_for_background
from tests.support.alert_senders import alertmanager_group, opsgenie_action, prometheus_alert
from tests.support.fake_slack import Call
from tests.support.slack_requests import Response
from tests.support.waiting import outbox_settled, wait_for
from tests.webhooks.test_alerts_join_incidents import App, app

__all__ = ["app"]

HOSTILE_LINK = "https://prom.example/g><!channel>|Runbook"
LIVE = re.compile(r"<!(?:here|channel|everyone|group)\b|<!subteam")
LINKS = re.compile(r"<(https?://[^<>|]*)\|([^<>]*)>")


def draft_posts(app: App) -> list[Call]:
    wait_for(lambda: app.fake.calls_to("files.completeUploadExternal"), what="the draft's upload")
    wait_for(lambda: outbox_settled(app.sessions), what="the outbox to settle")
    return [call for call in app.fake.calls_to("chat.postMessage") if "Postmortem draft" in call.params["text"]]


def resolved_draft(app: App, link_command: str, deliver: Callable[[], Response]) -> str:
    app.clock.set("2026-12-02T14:00:00Z")
    app.command("start sev2 Checkout errors", channel="C1", user="U1")
    assert "linked" in app.command(link_command, channel="C1", user="U1")["text"]
    assert deliver().status == 200
    app.clock.set("2026-12-02T14:30:00Z")
    app.command("mark resolved", channel="C1", user="U1")
    wait_for_background()
    [post] = draft_posts(app)
    return json.dumps(post.params, ensure_ascii=False)


def test_an_alertmanager_link_that_closes_the_link_and_pings_the_channel_is_not_written_as_a_link(
    app: App,
) -> None:
    alert = prometheus_alert(
        "firing", alertname="CheckoutErrors", fingerprint="c4f0e4e0f5a0b8f1", starts_at="2026-12-02T13:50:00Z"
    )
    alert["generatorURL"] = HOSTILE_LINK
    posted = resolved_draft(
        app, "link alertmanager:CheckoutErrors", lambda: app.send.alertmanager(alertmanager_group(alert))
    )
    assert "13:50 *Alert*" in posted  # the alert is in the key events, at its time
    assert LIVE.search(posted) is None, posted
    assert "Runbook" not in posted
    assert "prom.example" not in posted  # a link that is not a plain address is left out, its time kept


def test_an_opsgenie_alert_id_cannot_close_the_link_written_from_it(app: App) -> None:
    created = opsgenie_action(
        "Create", updated_at_ns=1_796_219_407_123_456_789, alert_id="x><!channel>|Runbook <!here>"
    )
    posted = resolved_draft(app, "link 1791", lambda: app.send.opsgenie(created))
    assert LIVE.search(posted) is None, posted
    links = LINKS.findall(posted)
    assert links, posted
    assert all(label == "13:50" for _, label in links), links  # the id relabelled no link
    assert "https://app.opsgenie.com/alert/detail/x%3E%3C%21channel%3E%7CRunbook%20%3C%21here%3E/details" in posted
