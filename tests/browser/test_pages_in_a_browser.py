"""The pages in headless Chromium: signing in through the fake Slack's OpenID endpoints, the
incident page, a curation that changes the next draft, charts drawn, a private incident
hidden from an outsider, a ``<script>`` in a Slack message shown as text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.ui.refresher import wait_for_refreshes
from tests.browser.conftest import Shots
from tests.conftest import Scribe
from tests.support.slack_requests import event_callback

T0 = 1795960800  # 2026-11-29 14:00:00 UTC


def ts(minutes: float) -> str:
    return f"{T0 + int(minutes * 60)}.{int(minutes * 1000) % 1000000:06d}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.problems = []
    opened.on("console", lambda m: m.type == "error" and opened.problems.append(m.text))
    opened.on("pageerror", lambda e: opened.problems.append(str(e)))
    opened.on("dialog", lambda d: (opened.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield opened
    context.close()


def checkout_outage(scribe: Scribe) -> None:
    """A small, realistic incident: alerts, a thread, an edit, phases, a note, a cause, an item."""
    scribe.fake.add_user("U4", name="Lin")
    scribe.answer("start sev2 Checkout returns 5xx in eu-west", channel="C1")
    scribe.fake.add_channel("C1", members=("U1", "U2", "U3"))
    scribe.answer("service checkout", channel="C1")
    alert = {"type": "message", "subtype": "bot_message", "channel": "C1", "bot_id": "B9", "username": "PagerDuty"}
    scribe.slack.event(event_callback({**alert, "text": "TRIGGERED: checkout 5xx rate > 5%", "ts": ts(1)}))
    scribe.slack.message("C1", ts(2), "I see it too, the payment step times out", user="U2")
    scribe.slack.message("C1", ts(3), "looking at the deploy from 13:50", user="U1", thread_ts=ts(2))
    scribe.slack.message("C1", ts(4), "rollback started", user="U3", thread_ts=ts(2))
    scribe.slack.message(
        "C1", ts(5), "careful: &lt;script&gt;alert('x')&lt;/script&gt; was in the error page", user="U2"
    )
    scribe.slack.event(event_callback({**alert, "text": "RESOLVED: checkout 5xx rate back under 1%", "ts": ts(31)}))
    scribe.answer("mark detected at 14:01 UTC", channel="C1")
    scribe.answer("mark acknowledged at 14:03 UTC", channel="C1")
    scribe.answer("note rolled back the 13:50 deploy", channel="C1")
    scribe.answer("mark mitigated at 14:20 UTC", channel="C1")
    scribe.answer("cause config: a feature flag enabled the new payment client everywhere", channel="C1")
    scribe.answer("action <@U2> 2026-12-04 alert on the payment step's timeouts", channel="C1")
    scribe.answer("mark resolved at 14:31 UTC", channel="C1")


def past_quarter(scribe: Scribe) -> None:
    """Earlier incidents over the weeks before, for the insights to have a history to chart."""
    from bot.services.error_budgets import set_slo

    with scribe.sessions.begin() as session:
        for name, target in (("checkout", "99.9"), ("search", "99.5"), ("payments", "99.95")):
            set_slo(session, name=name, target=target, window="28d", now=scribe.clock())
    history = (
        ("2026-10-06", "search", "sev3", (4, 30, 55), "capacity: the index nodes ran out of memory"),
        ("2026-10-15", "checkout", "sev2", (2, 12, 40), "config: a rate limit set ten times too low"),
        ("2026-10-27", "payments", "sev1", (1, 9, 26), "dependency: the card processor timed out"),
        ("2026-11-05", "checkout", "sev2", (6, 25, 70), "config: a stale feature flag"),
        ("2026-11-12", "search", "sev4", (15, 45, 90), "capacity: a traffic spike from a crawler"),
        ("2026-11-19", "payments", "sev2", (3, 14, 33), "config: a wrong secret after rotation"),
    )
    now = scribe.clock.now
    for number, (day, service, severity, (ack, mitigate, resolve), cause) in enumerate(history):
        channel = f"CH{number}"
        scribe.clock.set(f"{day}T09:00:00Z")
        scribe.fake.add_channel(channel, members=("U1", "U2"))
        scribe.answer(f"start {severity} {service.capitalize()} trouble on {day}", channel=channel)
        scribe.answer(f"service {service}", channel=channel)
        scribe.clock.set(f"{day}T12:00:00Z")
        scribe.answer("mark detected at 10:00 UTC", channel=channel)
        scribe.answer(f"mark acknowledged at 10:{ack:02d} UTC", channel=channel)
        scribe.answer(f"mark mitigated at {10 + mitigate // 60}:{mitigate % 60:02d} UTC", channel=channel)
        scribe.answer(f"mark resolved at {10 + resolve // 60}:{resolve % 60:02d} UTC", channel=channel)
        scribe.answer(f"cause {cause}", channel=channel)
        scribe.answer(f"action <@U{1 + number % 3}> in 5 days follow up on {cause.split(':')[0]}", channel=channel)
        scribe.answer("close", channel=channel)
    scribe.clock.now = now


def sign_in(page: Any, site: str, scribe: Scribe, user: str, name: str) -> None:
    scribe.fake.sign_in_as(user, name=name)
    page.goto(f"{site}/ui/incidents")
    page.get_by_role("link", name="Sign in with Slack").click()
    page.wait_for_url(f"{site}/ui/incidents")
    wait_for_refreshes()  # what Slack says the person may read is stored: the next page shows it
    page.reload()


def test_signing_in_lands_on_the_incidents_of_the_workspace(scribe: Scribe, site: str, page: Any, shots: Shots) -> None:
    checkout_outage(scribe)
    scribe.fake.add_channel("C2")
    scribe.answer("start sev3 Search results are slow", channel="C2")
    page.goto(f"{site}/ui/login")
    shots.take(page, "sign-in")
    sign_in(page, site, scribe, "U1", "Ada Okafor")
    assert page.get_by_text("Signed in as Ada Okafor").is_visible()
    rows = page.locator("table.incidents tbody tr")
    assert rows.count() == 2
    listed = page.locator("table.incidents").inner_text()
    assert "Checkout returns 5xx in eu-west" in listed
    assert "Search results are slow" in listed
    shots.take(page, "incidents")
    assert page.problems == []


def test_the_incident_page_shows_phases_threads_and_a_script_in_a_message_as_text(
    scribe: Scribe, site: str, page: Any, shots: Shots
) -> None:
    checkout_outage(scribe)
    sign_in(page, site, scribe, "U1", "Ada Okafor")
    page.get_by_role("link", name="Checkout returns 5xx in eu-west").click()
    strip = page.locator("ol.phases li")
    assert strip.count() == 4
    assert "+2m from detection" in strip.nth(1).inner_text()
    thread = page.locator("li.entry", has_text="the payment step times out").first
    assert "rollback started" in thread.locator("ol.replies").inner_text()
    shown = page.locator("li.entry", has_text="was in the error page").first
    assert "<script>alert('x')</script>" in shown.inner_text()
    assert page.locator("script:not([src])").count() == 0
    shots.take(page, "incident")
    page.keyboard.press("Tab")  # the first stop is the skip link, and it leads to the content
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    curate = page.locator("li.entry.kind-note summary").first
    curate.focus()
    page.keyboard.press("Enter")  # the curation forms open from the keyboard too
    assert page.locator("li.entry.kind-note details").first.get_attribute("open") is not None
    page.get_by_role("link", name="Alerts").click()
    assert page.locator("ol.timeline > li").count() == 2
    assert page.problems == []


def test_a_correction_made_on_the_page_is_in_the_next_draft_with_its_chart_drawn(
    scribe: Scribe, site: str, page: Any, shots: Shots
) -> None:
    checkout_outage(scribe)
    sign_in(page, site, scribe, "U1", "Ada Okafor")
    page.get_by_role("link", name="Checkout returns 5xx in eu-west").click()
    note = page.locator("li.entry.kind-note").first
    note.locator("summary").click()
    note.get_by_label("Corrected text").fill("rolled back deploy 7f3a (13:50) on every region")
    note.get_by_role("button", name="Correct").click()
    assert page.get_by_text("as recorded:").first.is_visible()
    assert page.locator("section[aria-labelledby=log-h] tbody tr").count() == 1
    scribe.answer("postmortem", channel="C1")
    page.goto(f"{site}/ui/incidents")
    page.get_by_role("link", name="Checkout returns 5xx in eu-west").click()
    page.get_by_role("link", name="Read the latest, with its chart and what changed").click()
    page.wait_for_selector("html[data-mermaid=drawn]")
    assert page.locator("figure.chart svg").count() == 1
    assert "rolled back deploy 7f3a (13:50) on every region" in page.locator("pre.diff").inner_text()
    shots.take(page, "draft")
    assert page.problems == []


def test_the_insights_charts_are_drawn_with_their_data(scribe: Scribe, site: str, page: Any, shots: Shots) -> None:
    past_quarter(scribe)
    checkout_outage(scribe)
    sign_in(page, site, scribe, "U1", "Ada Okafor")
    page.get_by_role("link", name="Insights").click()
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() == 7
    page.wait_for_selector("canvas[data-drawn]")
    drawn = [int(canvases.nth(n).get_attribute("data-drawn") or 0) for n in range(canvases.count())]
    assert drawn[2] == 3  # incidents per service: checkout, search, payments
    assert drawn[3] == 3  # error budget burned: the three services with an SLO
    assert drawn[6] == 12  # status-update cadence: median, worst and target for sev1 to sev4
    assert page.locator("#causes-h ~ .insight table").inner_text().count("repeated") == 2
    shots.take(page, "insights")
    page.get_by_role("link", name="Follow-up").click()
    assert page.get_by_text("alert on the payment step's timeouts").is_visible()
    shots.take(page, "follow-up")
    assert page.problems == []


def test_a_private_incident_is_hidden_from_someone_not_in_its_channel(scribe: Scribe, site: str, page: Any) -> None:
    scribe.fake.add_channel("C1")
    scribe.answer("start sev3 Public hiccup", channel="C1")
    scribe.answer("start sev1 Leaked credentials", channel="G1")
    scribe.fake.add_channel("G1", private=True, members=("U1",))
    sign_in(page, site, scribe, "U2", "Grace")
    listing = page.locator("main").inner_text()
    assert "Public hiccup" in listing
    assert "Leaked credentials" not in listing
    page.goto(f"{site}/ui/incidents/2")
    assert "private channel you are not in" in page.locator("main").inner_text()


def test_the_incident_page_shows_the_roles_and_status_updates(
    scribe: Scribe, site: str, page: Any, shots: Shots
) -> None:
    checkout_outage(scribe)
    scribe.answer("role comms <@U2>", channel="C1")
    scribe.answer("role scribe <@U3>", channel="C1")
    scribe.clock.set("2026-11-29T14:10:00Z")
    scribe.answer("update Payment step times out in eu-west; rolling back the 13:50 deploy", channel="C1", user="U2")
    scribe.clock.set("2026-11-29T14:25:00Z")
    scribe.answer("update Rollback done; error rate back under 1%, watching for 15 minutes", channel="C1", user="U2")
    sign_in(page, site, scribe, "U1", "Ada Okafor")
    page.get_by_role("link", name="Checkout returns 5xx in eu-west").click()
    roles = page.locator("dl.roles").inner_text()
    assert "Incident commander" in roles
    assert "@Ada (started it)" in roles
    assert "@Grace" in roles
    assert "@Radia" in roles
    updates = page.locator("ol.updates li")
    assert updates.count() == 2
    assert "Rollback done" in updates.first.inner_text()
    page.locator("#running-h").scroll_into_view_if_needed()
    shots.take(page, "incident-roles-updates")
    assert page.problems == []
