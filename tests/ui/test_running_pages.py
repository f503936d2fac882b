"""Roles and status updates on the incident page; update cadence by severity on the insights page."""

from __future__ import annotations

import html
import json
import re

from tests.conftest import Scribe
from tests.support.running import say
from tests.support.web_pages import Visitor
from tests.ui.test_pages import incident_id


def run_an_incident(scribe: Scribe) -> int:
    say(scribe, "start sev1 Checkout errors", at="2026-11-29T14:00:00Z")
    scribe.fake.add_channel("C1", members=("U1", "U2"))
    say(scribe, "role comms <@U2>", at="2026-11-29T14:05:00Z")
    say(scribe, "update Rolling back <script>alert(1)</script>", at="2026-11-29T14:20:00Z", user="U2")
    say(scribe, "update Errors back to normal", at="2026-11-29T15:10:00Z", user="U2")
    say(scribe, "mark resolved", at="2026-11-29T15:15:00Z")
    return incident_id(scribe, "C1")


def test_the_incident_page_shows_who_holds_each_role_and_every_update_newest_first(scribe: Scribe) -> None:
    number = run_an_incident(scribe)
    person = Visitor(scribe.wsgi, scribe.fake)
    person.sign_in("U1")
    page = person.get(f"/ui/incidents/{number}").text
    roles = page.split('<dl class="facts roles">', 1)[1].split("</dl>", 1)[0]
    assert re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", roles) == [
        ("Incident commander", "@Ada (started it)"),
        ("Communications lead", "@Grace"),
        ("Scribe", "nobody"),
    ]
    updates = page.split('<ol class="timeline updates"', 1)[1].split("</ol>", 1)[0]
    assert updates.index("Errors back to normal") < updates.index("Rolling back")
    assert "<script>alert(1)" not in page
    assert html.escape("<script>alert(1)</script>", quote=False) in updates


def test_the_insights_page_charts_the_update_cadence_by_severity_against_the_target(scribe: Scribe) -> None:
    run_an_incident(scribe)
    scribe.clock.set("2026-11-30T09:00:00Z")  # the next morning: signed in then (a session lasts 12 h)
    person = Visitor(scribe.wsgi, scribe.fake)
    person.sign_in("U1")
    page = person.get("/ui/insights").text
    found = re.search(r"id=\"chart-update-cadence\"[^>]*data-chart='([^']*)'", page)
    assert found is not None
    spec = json.loads(html.unescape(found.group(1)))
    assert spec["labels"] == ["sev1"]
    assert [d["label"] for d in spec["datasets"]] == ["Median", "Worst", "Target"]
    assert [d["data"] for d in spec["datasets"]] == [[50.0], [50.0], [30.0]]
    assert '<th scope="row">sev1</th><td>1</td><td>50m</td><td>50m</td><td>30m</td><td>0 of 1</td>' in page
