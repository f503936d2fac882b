"""`/incident role` and `/incident roles`: who runs the incident, the duties DM, the invite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.background import wait_for_background
from storage.running_models import IncidentRole
from tests.conftest import Scribe
from tests.slack.test_postmortem_posting import scribe_with
from tests.support.fake_slack import FakeSlack
from tests.support.running import notes, posts_keyed, say, settled
from tests.support.waiting import wait_for


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    yield
    wait_for_background()


def started(scribe: Scribe, severity: str = "sev1") -> None:
    assert "started incident" in say(scribe, f"start {severity} Checkout errors", at="2026-11-29T14:00:00Z")["text"]


def role_rows(scribe: Scribe) -> int:
    with scribe.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(IncidentRole)) or 0)


def test_whoever_starts_the_incident_is_its_commander_until_someone_else_is(scribe: Scribe) -> None:
    started(scribe)
    listed = say(scribe, "roles", at="2026-11-29T14:01:00Z")
    assert listed.get("response_type") != "in_channel"
    assert "• Incident commander: <@U1> (started the incident)" in listed["text"]
    assert "• Communications lead: nobody yet" in listed["text"]

    given = say(scribe, "role commander <@U2>", at="2026-11-29T14:02:00Z")
    assert given["response_type"] == "in_channel"
    assert given["text"] == (
        ":identification_card: <@U2> is now the *Incident commander*, taking over from <@U1> (given by <@U1>)."
    )
    assert "• Incident commander: <@U2>\n" in say(scribe, "roles", at="2026-11-29T14:03:00Z")["text"]
    assert notes(scribe) == ["Incident commander: <@U2>, taking over from <@U1>"]


def test_each_handoff_is_kept_as_history_and_as_a_timeline_note(scribe: Scribe) -> None:
    started(scribe)
    say(scribe, "role comms <@U2>", at="2026-11-29T14:02:00Z")
    say(scribe, "role comms <@U3|radia>", at="2026-11-29T14:03:00Z", user="U2")
    assert notes(scribe) == ["Communications lead: <@U2>", "Communications lead: <@U3>, taking over from <@U2>"]
    with scribe.sessions() as session:
        rows = session.scalars(select(IncidentRole).order_by(IncidentRole.id)).all()
        assert [(r.user_id, r.superseded_at is not None) for r in rows] == [("U2", True), ("U3", False)]


def test_the_new_holder_gets_the_roles_duties_privately_once(scribe: Scribe) -> None:
    started(scribe)
    say(scribe, "role scribe <@U3>", at="2026-11-29T14:02:00Z")
    again = say(scribe, "role scribe <@U3>", at="2026-11-29T14:09:00Z")
    assert again["text"] == "<@U3> is already the Scribe; nothing changed."
    settled(scribe)
    [dm] = posts_keyed(scribe.fake, "role:")
    assert dm.params["channel"] == "DU3"
    assert "You are now the *Scribe* of *Checkout errors* (sev1) in <#C1>" in dm.params["text"]
    assert "/incident note TEXT" in dm.params["text"]
    assert role_rows(scribe) == 1


def test_the_commanders_duties_name_the_update_cadence_of_the_severity(scribe: Scribe) -> None:
    started(scribe, "sev2")
    say(scribe, "role commander <@U2>", at="2026-11-29T14:02:00Z")
    settled(scribe)
    [dm] = posts_keyed(scribe.fake, "role:")
    assert "taking over from <@U1>" in dm.params["text"]
    assert "Post a status update at least every 1h" in dm.params["text"]


def test_a_team_replaces_the_duties_with_its_own_template(scribe: Scribe, tmp_path: Path) -> None:
    template = tmp_path / "duties.md.j2"
    template.write_text("{{ assignee }}: you are {{ role_label }} for {{ title }}. Runbook: https://wiki.example/ic\n")
    ours = scribe_with(scribe, role_template=str(template))
    started(ours)
    say(ours, "role commander <@U2>", at="2026-11-29T14:02:00Z")
    settled(ours)
    [dm] = posts_keyed(ours.fake, "role:")
    assert dm.params["text"] == (
        "<@U2>: you are Incident commander for Checkout errors. Runbook: https://wiki.example/ic"
    )


def test_a_broken_team_template_falls_back_to_ours(scribe: Scribe, tmp_path: Path) -> None:
    template = tmp_path / "duties.md.j2"
    template.write_text("{{ nobody_knows_this }}")
    ours = scribe_with(scribe, role_template=str(template))
    started(ours)
    say(ours, "role comms <@U2>", at="2026-11-29T14:02:00Z")
    settled(ours)
    [dm] = posts_keyed(ours.fake, "role:")
    assert "You are now the *Communications lead*" in dm.params["text"]


def test_a_title_that_pings_everyone_is_inert_in_the_duties(scribe: Scribe) -> None:
    say(scribe, "start sev1 <!channel> checkout <@U3> down", at="2026-11-29T14:00:00Z")
    say(scribe, "role comms <@U2>", at="2026-11-29T14:02:00Z")
    settled(scribe)
    [dm] = posts_keyed(scribe.fake, "role:")
    assert "<!channel>" not in dm.params["text"]
    assert "<@U3>" not in dm.params["text"]
    assert "<@U2>" not in dm.params["text"].split("You are now", 1)[1].split("\n", 1)[0]


def test_the_new_holder_is_invited_to_the_channel_after_the_answer(scribe: Scribe) -> None:
    started(scribe)
    say(scribe, "role comms <@U2>", at="2026-11-29T14:02:00Z")
    [invite] = wait_for(lambda: scribe.fake.calls_to("conversations.invite"), what="the invite")
    assert (invite.params["channel"], invite.params["users"]) == ("C1", "U2")


def test_someone_already_in_the_channel_is_not_told_anything(scribe: Scribe) -> None:
    started(scribe)
    scribe.fake.responses["conversations.invite"] = {"ok": False, "error": "already_in_channel"}
    seen = len(scribe.fake.calls_to("response_url"))
    say(scribe, "role comms <@U2>", at="2026-11-29T14:02:00Z")
    wait_for(lambda: scribe.fake.calls_to("conversations.invite"), what="the invite")
    wait_for_background()
    assert scribe.fake.calls_to("response_url")[seen:] == []


def test_an_invite_slack_refuses_is_explained_to_the_person_who_gave_the_role(scribe: Scribe) -> None:
    started(scribe)
    scribe.fake.responses["conversations.invite"] = {"ok": False, "error": "user_is_restricted"}
    say(scribe, "role scribe <@U3>", at="2026-11-29T14:02:00Z")
    told = wait_for(
        lambda: [c for c in scribe.fake.calls_to("response_url") if "could not invite" in str(c.params.get("text"))],
        what="the explanation",
    )
    assert told[0].params["text"] == (
        ":warning: <@U3> is the Scribe, but I could not invite them to <#C1>: they are a guest, and Slack lets "
        "only people invite guests: invite them yourself."
    )
    assert told[0].params["response_type"] == "ephemeral"


def test_an_invite_whose_answer_was_lost_is_asked_once_more_and_nobody_is_warned(scribe: Scribe) -> None:
    started(scribe)
    scribe.fake.lose_answer("conversations.invite")
    seen = len(scribe.fake.calls_to("response_url"))
    say(scribe, "role comms <@U2>", at="2026-11-29T14:02:00Z")
    wait_for(lambda: len(scribe.fake.calls_to("conversations.invite")) == 2, what="the second invite")
    wait_for_background()
    assert scribe.fake.calls_to("response_url")[seen:] == []


def test_a_duties_dm_whose_answer_was_lost_is_not_sent_twice(scribe: Scribe) -> None:
    started(scribe)
    scribe.fake.lose_answer("chat.postMessage")
    say(scribe, "role comms <@U2>", at="2026-11-29T14:02:00Z")
    wait_for_background()
    from tests.support.action_items import run_jobs

    run_jobs(scribe, "2026-11-29T14:30:00Z")
    settled(scribe)
    assert len(posts_keyed(scribe.fake, "role:")) == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("role boss <@U2>", "There is no role `boss`"),
        ("role commander bob", "Name the person with an @mention"),
        ("role commander", "Name a role and one person"),
        ("role commander <@U2> <@U3>", "Name a role and one person"),
    ],
)
def test_a_role_typed_wrong_is_refused_privately_and_writes_nothing(scribe: Scribe, text: str, says: str) -> None:
    started(scribe)
    reply = say(scribe, text, at="2026-11-29T14:02:00Z")
    assert reply.get("response_type") != "in_channel"
    assert says in reply["text"]
    assert role_rows(scribe) == 0
    assert notes(scribe) == []


def test_a_role_outside_an_incident_channel_is_refused(scribe: Scribe) -> None:
    reply = say(scribe, "role comms <@U2>", channel="CRANDOM")
    assert "not an incident channel" in reply["text"]
    assert role_rows(scribe) == 0


def test_a_closed_incidents_roles_are_settled(scribe: Scribe) -> None:
    started(scribe)
    say(scribe, "mark resolved", at="2026-11-29T14:30:00Z")
    say(scribe, "close", at="2026-11-29T14:31:00Z")
    reply = say(scribe, "role comms <@U2>", at="2026-11-29T14:32:00Z")
    assert "This incident is closed" in reply["text"]
    assert role_rows(scribe) == 0
