"""The ``/ui/`` pages through the same WSGI app as production: Sign in with Slack against the
fake Slack's OpenID endpoints, then what each page shows, and to whom."""

from __future__ import annotations

import re

from tests.conftest import Scribe
from tests.support.web_pages import Visitor, follow_authorize, query_of

T0 = 1795960800  # 2026-11-29 14:00:00 UTC


def ts(seconds: int, micro: int = 1) -> str:
    return f"{T0 + seconds}.{micro:06d}"


def visitor(scribe: Scribe) -> Visitor:
    return Visitor(scribe.wsgi, scribe.fake)


def start_incident(scribe: Scribe, channel: str = "C1", *, team: str = "T111", title: str = "Checkout errors") -> int:
    scribe.answer(f"start sev2 {title}", channel=channel, team_id=team)
    scribe.fake.add_channel(channel, members=("U1", "U2"))
    return incident_id(scribe, channel, team)


def incident_id(scribe: Scribe, channel: str, team: str = "T111") -> int:
    from storage.incidents import find_incident

    with scribe.sessions() as session:
        found = find_incident(session, team, channel)
        assert found is not None
        return found.id


def test_a_page_asks_a_stranger_to_sign_in_first(scribe: Scribe) -> None:
    page = visitor(scribe).get("/ui/incidents")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/ui/login?next=/ui/incidents")


def test_signing_in_with_slack_checks_the_state_and_sets_a_secure_session_cookie(scribe: Scribe) -> None:
    person = visitor(scribe)
    start = person.get("/ui/login/slack")
    url = start.headers["Location"]
    assert url.startswith(scribe.fake.authorize_url() + "?")
    asked = query_of(url)
    assert asked["client_id"] == scribe.fake.client_id
    assert asked["scope"] == "openid,profile"
    assert asked["redirect_uri"] == "https://scribe.test/ui/login/callback"
    assert asked["state"]
    assert asked["nonce"]
    assert asked["state"] != asked["nonce"]
    scribe.fake.sign_in_as("U1", name="Ada")
    back = follow_authorize(url)
    signed = person.get(back.removeprefix("https://scribe.test"))
    assert signed.status_code == 302
    assert signed.headers["Location"] == "/ui/incidents"
    cookie = signed.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/ui/" in cookie
    assert "Signed in as Ada" in person.get("/ui/incidents").text
    token = scribe.fake.calls_to("openid.connect.token")[0].params
    assert token["code"] == query_of(back)["code"]


def test_a_callback_whose_state_was_not_started_here_signs_nobody_in(scribe: Scribe) -> None:
    person, other = visitor(scribe), visitor(scribe)
    url = person.get("/ui/login/slack").headers["Location"]
    scribe.fake.sign_in_as("U1")
    back = follow_authorize(url)
    refused = other.get(back.removeprefix("https://scribe.test"))  # a session that never started it
    assert refused.status_code == 400
    assert "was not started here" in refused.text
    assert scribe.fake.calls_to("openid.connect.token") == []
    assert other.get("/ui/incidents").status_code == 302


def test_a_cancelled_sign_in_says_so(scribe: Scribe) -> None:
    person = visitor(scribe)
    url = person.get("/ui/login/slack").headers["Location"]
    back = follow_authorize(url)  # nobody set to sign in: Slack answers access_denied
    refused = person.get(back.removeprefix("https://scribe.test"))
    assert refused.status_code == 400
    assert "did not sign you in" in refused.text


def test_every_page_carries_a_strict_content_security_policy(scribe: Scribe) -> None:
    person = visitor(scribe)
    person.sign_in("U1")
    page = person.get("/ui/incidents")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self' 'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "style-src 'self';" in policy  # only the draft page lets Mermaid's SVG styles in
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in page.text  # no inline script on any page


def test_the_list_shows_status_severity_service_and_durations_with_filters(scribe: Scribe) -> None:
    start_incident(scribe, "C1", title="Checkout errors")
    scribe.answer("service checkout", channel="C1")
    scribe.answer("mark detected at 14:00 UTC", channel="C1")
    scribe.answer("mark acknowledged at 14:05 UTC", channel="C1")
    scribe.answer("mark resolved at 15:00 UTC", channel="C1")
    scribe.fake.add_channel("C2")
    scribe.answer("start sev3 Search slow", channel="C2")
    person = visitor(scribe)
    person.sign_in("U1")
    listing = person.get("/ui/incidents").text
    assert "Checkout errors" in listing
    assert "Search slow" in listing
    assert "5m from detection" in listing
    assert "1h from detection" in listing
    assert "checkout" in listing
    assert "sev2" in listing
    only = person.get("/ui/incidents?severity=sev3").text
    assert "Search slow" in only
    assert "Checkout errors" not in only
    found = person.get("/ui/incidents?q=CHECKOUT").text
    assert "Checkout errors" in found
    assert "Search slow" not in found
    resolved = person.get("/ui/incidents?status=resolved").text
    assert "Checkout errors" in resolved
    assert "Search slow" not in resolved


def test_the_list_is_paginated(scribe: Scribe) -> None:
    for n in range(52):
        start_incident(scribe, f"C{n:03d}", title=f"Incident number {n}")
    person = visitor(scribe)
    person.sign_in("U1")
    first = person.get("/ui/incidents").text
    assert "52 incidents, page 1 of 2" in first
    assert first.count('scope="row"') == 50
    second = person.get("/ui/incidents?page=2").text
    assert second.count('scope="row"') == 2
    assert person.get("/ui/incidents?page=x").status_code == 400


def test_the_incident_page_keeps_threads_together_marks_edits_and_links_to_slack(scribe: Scribe) -> None:
    number = start_incident(scribe)
    scribe.slack.message("C1", ts(10), "checkout is failing")
    scribe.slack.message("C1", ts(20), "I am looking", user="U2", thread_ts=ts(10))
    scribe.slack.message("C1", ts(30), "unrelated later line")
    scribe.slack.event(
        {
            "token": "legacy",
            "team_id": "T111",
            "api_app_id": "A111",
            "type": "event_callback",
            "event_id": "EvEdit1",
            "event_time": T0 + 40,
            "event": {
                "type": "message",
                "subtype": "message_changed",
                "channel": "C1",
                "ts": ts(40),
                "message": {
                    "type": "message",
                    "user": "U1",
                    "text": "checkout is failing hard",
                    "ts": ts(10),
                    "edited": {"ts": ts(35)},
                },
            },
        }
    )
    scribe.answer("mark detected at 14:00 UTC", channel="C1")
    scribe.answer("note rolled back the deploy", channel="C1")
    person = visitor(scribe)
    person.sign_in("U1")
    page = person.get(f"/ui/incidents/{number}").text
    parent, reply, later = (
        page.index("checkout is failing hard"),
        page.index("I am looking"),
        page.index("unrelated later line"),
    )
    assert parent < reply < later  # the reply sits under its parent, before later lines
    assert "edited" in page
    assert "https://acme.slack.com/archives/C1/p" + ts(10).replace(".", "") in page
    assert "rolled back the deploy" in page
    assert "Detected" in page
    key = person.get(f"/ui/incidents/{number}?view=key").text
    assert "rolled back the deploy" in key
    assert "unrelated later line" not in key
    alerts = person.get(f"/ui/incidents/{number}?view=alerts").text
    assert "No alert is linked to this incident" in alerts
    assert "No alert bot posted in this channel" in alerts
    assert person.get(f"/ui/incidents/{number}?view=nonsense").status_code == 400


def test_the_timeline_is_paged_and_a_damaged_cursor_is_refused_plainly(scribe: Scribe) -> None:
    number = start_incident(scribe)
    for n in range(105):
        scribe.slack.message("C1", ts(n + 1), f"line {n:03d}")
    person = visitor(scribe)
    person.sign_in("U1")
    first = person.get(f"/ui/incidents/{number}").text
    assert "line 000" in first
    assert "line 099" in first
    assert "line 100" not in first
    later = re.search(r'href="([^"]*after=[^"]+)"', first)
    assert later
    second = person.get(later.group(1).replace("&amp;", "&")).text
    assert "line 100" in second
    assert "line 104" in second
    assert "line 099" not in second
    damaged = person.get(f"/ui/incidents/{number}?after=yesterday")
    assert damaged.status_code == 400
    assert "damaged" in damaged.text


def test_a_script_in_a_slack_message_is_shown_as_text(scribe: Scribe) -> None:
    number = start_incident(scribe)
    scribe.slack.message("C1", ts(10), "look &lt;script&gt;alert(1)&lt;/script&gt; <!here>")
    person = visitor(scribe)
    person.sign_in("U1")
    page = person.get(f"/ui/incidents/{number}").text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_incident_of_a_private_channel_is_hidden_from_someone_not_in_it(scribe: Scribe) -> None:
    public = start_incident(scribe, "C1", title="Public trouble")
    scribe.answer("start sev1 Secret trouble", channel="G1")
    scribe.fake.add_channel("G1", private=True, members=("U1",))
    secret = incident_id(scribe, "G1")
    member, outsider = visitor(scribe), visitor(scribe)
    member.sign_in("U1")
    outsider.sign_in("U2")
    assert "Secret trouble" in member.get("/ui/incidents").text
    assert member.get(f"/ui/incidents/{secret}").status_code == 200
    listing = outsider.get("/ui/incidents").text
    assert "Public trouble" in listing
    assert "Secret trouble" not in listing
    assert outsider.get(f"/ui/incidents/{secret}").status_code == 404
    assert outsider.get(f"/ui/incidents/{public}").status_code == 200


def test_a_channel_slack_has_not_listed_yet_is_shown_to_nobody(scribe: Scribe) -> None:
    scribe.answer("start sev2 Brand new", channel="C9")  # not in the fake's channel lists
    person = visitor(scribe)
    person.sign_in("U1")
    assert "Brand new" not in person.get("/ui/incidents").text


def test_no_page_shows_another_workspaces_incident(scribe: Scribe) -> None:
    ours = start_incident(scribe, "C1", title="Ours")
    theirs = start_incident(scribe, "C1", team="T222", title="Theirs")
    person = visitor(scribe)
    person.sign_in("U1")
    assert "Theirs" not in person.get("/ui/incidents").text
    assert person.get(f"/ui/incidents/{theirs}").status_code == 404
    assert person.get(f"/ui/incidents/{theirs}/drafts").status_code == 404
    assert "Theirs" not in person.get("/ui/follow-up").text
    stranger = visitor(scribe)
    stranger.sign_in("U9", team="T222")  # this install's bot is not in T222: nothing is readable
    assert "Ours" not in stranger.get("/ui/incidents").text
    assert stranger.get(f"/ui/incidents/{ours}").status_code == 404


def test_the_draft_page_shows_each_version_its_chart_and_what_changed(scribe: Scribe) -> None:
    number = start_incident(scribe)
    scribe.answer("mark detected at 14:00 UTC", channel="C1")
    scribe.answer("mark resolved at 15:00 UTC", channel="C1")  # posts v1
    scribe.answer("cause config: a flag flipped in production", channel="C1")
    scribe.answer("postmortem", channel="C1")  # posts v2
    person = visitor(scribe)
    person.sign_in("U1")
    incident = person.get(f"/ui/incidents/{number}").text
    assert "v1" in incident
    assert "v2" in incident
    answer = person.get(f"/ui/incidents/{number}/drafts")
    policy = answer.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy  # Mermaid's SVG styles, on this page only
    assert "script-src 'self';" in policy
    draft = answer.text
    assert "Postmortem draft v2" in draft
    assert '<pre class="mermaid">' in draft
    assert "vendor/mermaid.min.js" in draft
    assert "What changed since v1" in draft
    assert re.search(r"<ins>\+[^<]*a flag flipped in production", draft)
    assert person.get(f"/ui/incidents/{number}/drafts?v=9").status_code == 400


def test_follow_up_shows_open_items_by_service_with_overdue_flagged(scribe: Scribe) -> None:
    start_incident(scribe)
    scribe.answer("service checkout", channel="C1")
    scribe.answer("action <@U2> 2026-12-01 add a canary", channel="C1")
    scribe.clock.set("2026-12-05T10:00:00Z")
    person = visitor(scribe)
    person.sign_in("U1")
    page = person.get("/ui/follow-up").text
    assert "add a canary" in page
    assert "checkout" in page
    assert "overdue 4 days" in page


def test_signing_out_needs_the_forms_csrf_token(scribe: Scribe) -> None:
    person = visitor(scribe)
    person.sign_in("U1")
    refused = person.post("/ui/logout", {})
    assert refused.status_code == 403
    assert person.get("/ui/incidents").status_code == 200
    token = person.csrf("/ui/incidents")
    assert person.post("/ui/logout", {"csrf_token": token}).status_code == 302
    assert person.get("/ui/incidents").status_code == 302


def curate(person: Visitor, number: int, **form: str) -> str:
    token = person.csrf(f"/ui/incidents/{number}")
    answer = person.post(f"/ui/incidents/{number}/curate", {"csrf_token": token, **form})
    assert answer.status_code == 303, answer.text
    return person.get(f"/ui/incidents/{number}").text


def note_entry(scribe: Scribe, number: int) -> str:
    from storage.models import Entry

    with scribe.sessions() as session:
        note = session.query(Entry).filter_by(incident_id=number, kind="note").one()
        return f"note:{note.id}"


def test_a_correction_on_the_page_keeps_the_original_and_changes_the_next_draft(scribe: Scribe) -> None:
    number = start_incident(scribe)
    scribe.answer("mark detected at 14:00 UTC", channel="C1")
    scribe.answer("note rolled back the deploy", channel="C1")
    person = visitor(scribe)
    person.sign_in("U1", name="Ada")
    entry = note_entry(scribe, number)
    page = curate(person, number, entry=entry, action="correct", text="rolled back deploy 42 at the edge")
    assert "rolled back deploy 42 at the edge" in page
    assert "as recorded: <q>rolled back the deploy</q>" in page
    assert f'<a href="#{entry}">{entry}</a>' in page  # the change log names the entry
    scribe.answer("postmortem", channel="C1")
    draft = person.get(f"/ui/incidents/{number}/drafts").text
    assert "rolled back deploy 42 at the edge" in draft


def test_starring_and_hiding_on_the_page_show_in_the_change_log_and_can_be_undone(scribe: Scribe) -> None:
    number = start_incident(scribe)
    scribe.slack.message("C1", ts(10), "the dashboard shows 5xx")
    person = visitor(scribe)
    person.sign_in("U1")
    assert "the dashboard shows 5xx" not in person.get(f"/ui/incidents/{number}?view=key").text
    starred = curate(person, number, entry=f"msg:{ts(10)}", action="star")
    assert "★ starred" in starred
    assert "Unstar" in starred
    assert "the dashboard shows 5xx" in person.get(f"/ui/incidents/{number}?view=key").text
    hidden = curate(person, number, entry=f"msg:{ts(10)}", action="hide")
    assert "hidden from the draft" in hidden
    change = re.findall(r'name="change" value="(\d+)"', hidden)[-1]
    token = person.csrf(f"/ui/incidents/{number}")
    person.post(f"/ui/incidents/{number}/undo", {"csrf_token": token, "change": change})
    after = person.get(f"/ui/incidents/{number}").text
    assert "hidden from the draft" not in after
    assert "no, undone" in after


def test_someone_who_took_no_part_is_told_they_cannot_curate_and_nothing_is_written(scribe: Scribe) -> None:
    number = start_incident(scribe)
    scribe.slack.message("C1", ts(10), "a line")
    outsider = visitor(scribe)
    outsider.sign_in("U3")
    scribe.fake.add_channel("C1", members=("U1", "U2", "U3"))
    page = curate(outsider, number, entry=f"msg:{ts(10)}", action="star")
    assert "Only people who took part" in page
    assert "Nobody has curated this timeline yet" in page


def test_a_curation_form_without_its_csrf_token_is_refused(scribe: Scribe) -> None:
    number = start_incident(scribe)
    scribe.slack.message("C1", ts(10), "a line")
    person = visitor(scribe)
    person.sign_in("U1")
    refused = person.post(f"/ui/incidents/{number}/curate", {"entry": f"msg:{ts(10)}", "action": "star"})
    assert refused.status_code == 403
    assert "Nobody has curated" in person.get(f"/ui/incidents/{number}").text


def test_the_insights_page_draws_each_chart_from_the_numbers_in_its_table(scribe: Scribe) -> None:
    start_incident(scribe)
    scribe.answer("service checkout", channel="C1")
    scribe.answer("mark detected at 14:00 UTC", channel="C1")
    scribe.answer("mark acknowledged at 14:10 UTC", channel="C1")
    scribe.answer("mark resolved at 15:00 UTC", channel="C1")
    scribe.answer("cause config: a flag flipped", channel="C1")
    person = visitor(scribe)
    person.sign_in("U1")
    page = person.get("/ui/insights").text
    assert page.count("<canvas") == 7  # the last: status-update cadence by severity
    assert "vendor/chart.umd.min.js" in page
    assert "Incidents per service" in page
    assert '<th scope="row">checkout</th>' in page
    assert '<th scope="row">config</th>' in page
    assert "10m / 10m" in page  # time to acknowledge, median / p90, in the severity table


def test_with_a_public_url_slack_is_asked_to_send_people_back_there(scribe: Scribe) -> None:
    from dataclasses import replace

    from bot.slack.deps import Deps
    from bot.ui.app import build_ui

    settings = replace(scribe.settings, public_url="https://incidents.example.com")
    pages = build_ui(Deps(settings=settings, sessions=scribe.sessions, clock=scribe.clock, writes=scribe.deps.writes))
    start = Visitor(pages, scribe.fake).get("/ui/login/slack")
    assert query_of(start.headers["Location"])["redirect_uri"] == "https://incidents.example.com/ui/login/callback"
