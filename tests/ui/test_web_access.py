"""Who may read the ``/ui/`` pages, and for how long, through the same WSGI app as production
with the fake Slack: the channel lists read off the page's path, guests kept to their own
channels, and sessions that end on the server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.server import http_app
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from bot.ui.refresher import wait_for_refreshes
from tests.conftest import Scribe
from tests.support.web_pages import Visitor
from tests.ui.test_pages import incident_id, start_incident, visitor

BEING_READ = "being read from Slack"


def two_incidents(scribe: Scribe, *, guest: str | None = None) -> tuple[int, int]:
    """C1 (checkout; U1 and U5 are in it) and C2 (search; only U1), both public, each with an
    action item and a posted draft."""
    scribe.fake.add_user("U5", name="Gus", guest=guest)
    first = start_incident(scribe, "C1", title="Checkout errors")
    scribe.fake.add_channel("C1", members=("U1", "U5"))
    scribe.fake.add_channel("C2", members=("U1",))
    scribe.answer("start sev2 Search down", channel="C2")
    for channel, service, item in (("C1", "checkout", "add a canary"), ("C2", "search", "tune the index")):
        scribe.answer(f"service {service}", channel=channel)
        scribe.answer("mark detected at 14:00 UTC", channel=channel)
        scribe.answer("mark resolved at 14:40 UTC", channel=channel)
        scribe.answer(f"action <@U1> 2026-12-10 {item}", channel=channel)
    return first, incident_id(scribe, "C2")


def test_the_channel_lists_are_read_off_the_pages_path_once_per_person_beside_the_bolt_pool(scribe: Scribe) -> None:
    start_incident(scribe, "C1", title="Checkout errors")
    person = visitor(scribe)
    asked = len(scribe.fake.calls_to("users.info"))
    gate = scribe.fake.hold("users.conversations")
    try:
        assert person.start_sign_in("U1").status_code == 302  # the callback does not wait on the lists
        for _ in range(3):
            waiting = person.get("/ui/incidents")
            assert waiting.status_code == 200
            assert BEING_READ in waiting.text
            assert "Checkout errors" not in waiting.text
        wait_for_background(timeout=5)  # nothing of it runs on the pool of Slack's deferred work
    finally:
        gate.set()
    wait_for_refreshes()
    assert len(scribe.fake.calls_to("users.info")) == asked + 1  # one refresh, however many pages asked
    assert "Checkout errors" in person.get("/ui/incidents").text

    scribe.clock.now += timedelta(minutes=10)  # the lists are stale: shown, and read again behind
    gate = scribe.fake.hold("users.conversations")
    try:
        for _ in range(3):
            shown = person.get("/ui/incidents")
            assert "Checkout errors" in shown.text
            assert BEING_READ not in shown.text
        wait_for_background(timeout=5)
    finally:
        gate.set()
    wait_for_refreshes()
    assert len(scribe.fake.calls_to("users.info")) == asked + 2


def test_two_web_processes_read_a_persons_lists_once_between_them(scribe: Scribe) -> None:
    start_incident(scribe, "C1", title="Checkout errors")
    person = visitor(scribe)
    person.sign_in("U1")
    other_process = Visitor(
        http_app(Deps(settings=scribe.settings, sessions=scribe.sessions, clock=scribe.clock)), scribe.fake
    )
    cookie = person.client.get_cookie("scribe_session", domain="scribe.test", path="/ui/")
    assert cookie is not None
    other_process.client.set_cookie("scribe_session", cookie.value, domain="scribe.test", path="/ui/", secure=True)
    asked = len(scribe.fake.calls_to("users.info"))
    scribe.clock.now += timedelta(minutes=10)
    gate = scribe.fake.hold("users.conversations")
    try:
        assert "Checkout errors" in person.get("/ui/incidents").text
        assert "Checkout errors" in other_process.get("/ui/incidents").text
    finally:
        gate.set()
    wait_for_refreshes()
    assert len(scribe.fake.calls_to("users.info")) == asked + 1


@pytest.mark.parametrize("kind", ["multi", "single"])
def test_a_guest_sees_only_the_incidents_of_channels_they_are_in_on_every_page(scribe: Scribe, kind: str) -> None:
    theirs, other = two_incidents(scribe, guest=kind)
    guest = visitor(scribe)
    guest.sign_in("U5")
    listing = guest.get("/ui/incidents").text
    assert "Checkout errors" in listing
    assert "Search down" not in listing
    assert 'value="checkout"' in listing
    assert 'value="search"' not in listing  # nor in the service filter
    assert "Search down" not in guest.get("/ui/incidents?service=search").text
    assert guest.get(f"/ui/incidents/{theirs}").status_code == 200
    assert guest.get(f"/ui/incidents/{other}").status_code == 404
    assert guest.get(f"/ui/incidents/{theirs}/drafts").status_code == 200
    assert guest.get(f"/ui/incidents/{other}/drafts").status_code == 404
    follow = guest.get("/ui/follow-up").text
    assert "add a canary" in follow
    assert "tune the index" not in follow
    insights = guest.get("/ui/insights").text
    assert '<th scope="row">checkout</th>' in insights
    assert '<th scope="row">search</th>' not in insights
    member = visitor(scribe)
    member.sign_in("U2")  # a full member not in C2 still reads a public channel's incident
    assert "Search down" in member.get("/ui/incidents").text


def test_the_service_filter_offers_only_services_of_incidents_the_viewer_may_read(scribe: Scribe) -> None:
    start_incident(scribe, "C1", title="Public trouble")
    scribe.answer("service checkout", channel="C1")
    scribe.answer("start sev1 Secret trouble", channel="G1")
    scribe.fake.add_channel("G1", private=True, members=("U1",))
    scribe.answer("service vault", channel="G1")
    member, outsider = visitor(scribe), visitor(scribe)
    member.sign_in("U1")
    outsider.sign_in("U2")
    assert 'value="vault"' in member.get("/ui/incidents").text
    listing = outsider.get("/ui/incidents").text
    assert 'value="checkout"' in listing
    assert 'value="vault"' not in listing


def test_a_session_ends_twelve_hours_after_sign_in_however_much_it_is_used(scribe: Scribe) -> None:
    start_incident(scribe, "C1", title="Checkout errors")
    person = visitor(scribe)
    person.sign_in("U1")
    for _ in range(13):  # a page every 55 minutes, up to 11 h 55 min after signing in
        scribe.clock.now += timedelta(minutes=55)
        page = person.get("/ui/incidents")
        assert page.status_code == 200
        assert "Checkout errors" in page.text
        wait_for_refreshes()
    scribe.clock.now += timedelta(minutes=10)
    ended = person.get("/ui/incidents")
    assert ended.status_code == 302
    assert ended.headers["Location"].startswith("/ui/login")


def test_a_deactivated_persons_session_stops_at_the_next_look_at_slack(scribe: Scribe) -> None:
    start_incident(scribe, "C1", title="Checkout errors")
    person = visitor(scribe)
    person.sign_in("U1")
    scribe.fake.deactivate("U1")
    scribe.clock.now += timedelta(minutes=10)
    assert "Checkout errors" in person.get("/ui/incidents").text  # what was stored, while Slack is asked
    wait_for_refreshes()
    assert person.get("/ui/incidents").status_code == 302
    assert person.get(f"/ui/incidents/{incident_id(scribe, 'C1')}").status_code == 302


def test_a_deactivated_person_back_after_an_hour_is_shown_nothing_before_slack_is_asked(scribe: Scribe) -> None:
    start_incident(scribe, "C1", title="Checkout errors")
    person = visitor(scribe)
    person.sign_in("U1")
    scribe.fake.deactivate("U1")
    scribe.clock.now += timedelta(minutes=61)  # nothing asked Slack in between
    waiting = person.get("/ui/incidents")
    assert "Checkout errors" not in waiting.text
    assert BEING_READ in waiting.text
    wait_for_refreshes()
    assert person.get("/ui/incidents").status_code == 302


def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(scribe: Scribe) -> None:
    start_incident(scribe, "C1", title="Checkout errors")
    person = visitor(scribe)
    person.sign_in("U1")
    cookie = person.client.get_cookie("scribe_session", domain="scribe.test", path="/ui/")
    assert cookie is not None
    copy = Visitor(scribe.wsgi, scribe.fake)
    copy.client.set_cookie("scribe_session", cookie.value, domain="scribe.test", path="/ui/", secure=True)
    assert "Checkout errors" in copy.get("/ui/incidents").text
    token = person.csrf("/ui/incidents")
    assert person.post("/ui/logout", {"csrf_token": token}).status_code == 302
    assert copy.get("/ui/incidents").status_code == 302
    assert person.get("/ui/incidents").status_code == 302


def test_someone_slack_no_longer_knows_is_signed_out_at_the_next_look(scribe: Scribe) -> None:
    start_incident(scribe, "C1", title="Checkout errors")
    person = visitor(scribe)
    person.sign_in("U2")
    del scribe.fake.users["U2"]  # users.info answers user_not_found
    scribe.clock.now += timedelta(minutes=10)
    person.get("/ui/incidents")
    wait_for_refreshes()
    assert person.get("/ui/incidents").status_code == 302


def test_while_slack_cannot_be_reached_pages_show_what_was_stored_until_the_hour_is_up(
    scribe: Scribe, slept: list[float]
) -> None:
    start_incident(scribe, "C1", title="Checkout errors")
    person = visitor(scribe)
    person.sign_in("U1")
    scribe.fake.fail("auth.test", 500, times=100)
    scribe.clock.now += timedelta(minutes=30)
    assert "Checkout errors" in person.get("/ui/incidents").text
    wait_for_refreshes()
    assert "Checkout errors" in person.get("/ui/incidents").text
    scribe.clock.now += timedelta(minutes=31)
    waiting = person.get("/ui/incidents")
    assert waiting.status_code == 200
    assert "Checkout errors" not in waiting.text
    assert BEING_READ in waiting.text
    wait_for_refreshes()
    scribe.fake.failures.clear()
    scribe.clock.now += timedelta(minutes=2)  # a failed read is not retried within the minute
    person.get("/ui/incidents")
    wait_for_refreshes()
    assert "Checkout errors" in person.get("/ui/incidents").text
