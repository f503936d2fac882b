"""`/incident update` (text or form) and `/incident stakeholders`: the update posted once in the
incident channel and the stakeholders' channel, through the outbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.background import wait_for_background
from bot.slack.running_text import IMPACT_BLOCK, NEXT_BLOCK, STATUS_BLOCK, WHEN_BLOCK
from storage import incidents as incident_repo
from storage.running_models import StatusUpdate
from tests.conftest import Clock, Scribe
from tests.slack.test_oauth_install import MultiWorkspace, multi
from tests.slack.test_postmortem_posting import scribe_with
from tests.support.action_items import opened_view, run_jobs, submit
from tests.support.fake_slack import FakeSlack
from tests.support.running import notes, posts_keyed, say, settled
from tests.support.waiting import wait_for

__all__ = ["multi"]


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    yield
    wait_for_background()


def started(scribe: Scribe, channel: str = "C1") -> None:
    say(scribe, "start sev1 Checkout errors", at="2026-11-29T14:00:00Z", channel=channel)


def update_rows(scribe: Any) -> int:
    with scribe.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(StatusUpdate)) or 0)


def form(status: str, impact: str = "", next_steps: str = "", next_in: str = "") -> dict[str, dict[str, Any]]:
    return {
        STATUS_BLOCK: {"status_input": {"type": "plain_text_input", "value": status}},
        IMPACT_BLOCK: {"impact_input": {"type": "plain_text_input", "value": impact or None}},
        NEXT_BLOCK: {"next_steps_input": {"type": "plain_text_input", "value": next_steps or None}},
        WHEN_BLOCK: {"next_in_input": {"type": "plain_text_input", "value": next_in or None}},
    }


def test_an_update_is_posted_once_in_the_incident_channel_and_noted_on_the_timeline(scribe: Scribe) -> None:
    started(scribe)
    say(scribe, "role commander <@U2>", at="2026-11-29T14:05:00Z")
    reply = say(scribe, "update Rolled back v1.43; errors falling", at="2026-11-29T14:20:00Z")
    assert reply.get("response_type") != "in_channel"
    assert reply["text"] == ":loudspeaker: Your status update is being posted in this channel."
    settled(scribe)
    [post] = posts_keyed(scribe.fake, "update:")
    assert post.params["channel"] == "C1"
    assert post.params["text"] == (
        ":loudspeaker: *Status update* — Checkout errors (sev1)\n"
        "*Status:* Rolled back v1.43; errors falling\n"
        "_Posted by @Ada at 14:20 UTC · Incident commander <@U2>_"  # only role holders are mentioned
    )
    assert notes(scribe)[-1] == "Status update: Rolled back v1.43; errors falling"


def test_the_stakeholders_channel_gets_a_copy_with_a_link_back(scribe: Scribe) -> None:
    ours = scribe_with(scribe, stakeholder_channel="CSTAKE", public_url="https://scribe.example.com")
    started(ours)
    with ours.sessions.begin() as session:
        incident_repo.remember_workspace(
            session, team_id="T111", name="Acme", url="https://acme.slack.com/", now=ours.clock()
        )
    reply = say(ours, "update Investigating", at="2026-11-29T14:20:00Z")
    assert "in this channel and to <#CSTAKE>" in reply["text"]
    settled(ours)
    posts = {call.params["channel"]: call.params["text"] for call in posts_keyed(ours.fake, "update:")}
    assert set(posts) == {"C1", "CSTAKE"}
    assert posts["CSTAKE"].startswith(
        ":loudspeaker: *Incident update* — Checkout errors (sev1)\n*Status:* Investigating"
    )
    assert posts["CSTAKE"].endswith(
        "Follow it in <#C1> · <https://acme.slack.com/archives/C1|open the channel> · "
        "<https://scribe.example.com/ui/incidents/1|the incident's page>"
    )


def test_stakeholders_here_chooses_the_channel_and_off_stops_the_copies(scribe: Scribe) -> None:
    started(scribe)
    chosen = say(scribe, "stakeholders here", at="2026-11-29T14:01:00Z", channel="CEXEC", user="U2")
    assert chosen["response_type"] == "in_channel"
    assert "<@U2> chose this channel for a copy of every status update" in chosen["text"]
    say(scribe, "update First look: payments fine", at="2026-11-29T14:10:00Z")
    settled(scribe)
    assert sorted(c.params["channel"] for c in posts_keyed(scribe.fake, "update:")) == ["C1", "CEXEC"]

    say(scribe, "stakeholders off", at="2026-11-29T14:11:00Z", channel="CEXEC")
    say(scribe, "update Second look", at="2026-11-29T14:40:00Z")
    settled(scribe)
    assert sorted(c.params["channel"] for c in posts_keyed(scribe.fake, "update:")) == ["C1", "C1", "CEXEC"]


def test_with_many_workspaces_each_sends_its_stakeholder_copy_to_its_own_channel(
    multi: MultiWorkspace, clock: Clock
) -> None:
    multi.install("T111", "xoxb-one")
    multi.install("T222", "xoxb-two")
    clock.set("2026-11-29T14:00:00Z")
    for team in ("T111", "T222"):
        assert multi.slack.command("start sev2 Outage", channel="C1", team_id=team).status == 200
    assert multi.slack.command("stakeholders here", channel="CEXEC1", team_id="T111").status == 200
    clock.set("2026-11-29T14:10:00Z")
    for team in ("T111", "T222"):
        assert multi.slack.command("update Looking into it", channel="C1", team_id=team).status == 200
    wait_for_background()
    wait_for(lambda: len(posts_keyed(multi.fake, "update:")) == 3, what="three posts")
    sent = sorted(
        (c.params["channel"], c.headers["Authorization"].removeprefix("Bearer "))
        for c in posts_keyed(multi.fake, "update:")
    )
    assert sent == [("C1", "xoxb-one"), ("C1", "xoxb-two"), ("CEXEC1", "xoxb-one")]


def test_an_update_without_text_opens_the_form_and_its_submission_posts_once(scribe: Scribe) -> None:
    started(scribe)
    scribe.clock.set("2026-11-29T14:20:00Z")
    reply = say(scribe, "update")
    assert reply["text"] == "Fill in the form to post the status update."
    view = opened_view(scribe.fake)
    assert view["callback_id"] == "incident_update"
    assert [block["label"]["text"] for block in view["blocks"]] == ["Status", "Impact", "Next steps", "Next update in"]
    assert update_rows(scribe) == 0

    values = form("Mitigated by failover", "4% of checkouts failed for 20 min", "Find why the primary fell over", "45m")
    assert submit(scribe, view, values, user="U3", view_id="VUPD1").status == 200
    assert submit(scribe, view, values, user="U3", view_id="VUPD1").status == 200  # Slack's retry
    assert update_rows(scribe) == 1
    settled(scribe)
    [post] = posts_keyed(scribe.fake, "update:")
    assert post.params["text"] == (
        ":loudspeaker: *Status update* — Checkout errors (sev1)\n"
        "*Status:* Mitigated by failover\n"
        "*Impact:* 4% of checkouts failed for 20 min\n"
        "*Next steps:* Find why the primary fell over\n"
        "*Next update in:* 45m\n"
        "_Posted by @U3 at 14:20 UTC · Incident commander <@U1>_"  # U3's name is not known yet
    )
    assert notes(scribe)[-1] == (
        "Status update: Mitigated by failover — Impact: 4% of checkouts failed for 20 min — "
        "Next steps: Find why the primary fell over — Next update in 45m"
    )


@pytest.mark.parametrize(
    ("values", "block", "says"),
    [
        (form("   "), STATUS_BLOCK, "Say where things stand"),
        (form("Fine", next_in="soon"), WHEN_BLOCK, "takes a span such as 30m"),
        (form("Fine", next_in="48h"), WHEN_BLOCK, "at most a day"),
        (form("Fine", impact="x" * 2001), IMPACT_BLOCK, "the limit is 2,000"),
    ],
)
def test_a_form_filled_wrong_says_which_field_and_posts_nothing(
    scribe: Scribe, values: dict[str, Any], block: str, says: str
) -> None:
    started(scribe)
    say(scribe, "update", at="2026-11-29T14:20:00Z")
    response = submit(scribe, opened_view(scribe.fake), values)
    body = response.json()
    assert body["response_action"] == "errors"
    assert says in body["errors"][block]
    assert update_rows(scribe) == 0
    assert posts_keyed(scribe.fake, "update:") == []


def test_an_update_from_the_form_of_a_closed_incident_is_refused_in_the_form(scribe: Scribe) -> None:
    started(scribe)
    say(scribe, "update", at="2026-11-29T14:20:00Z")
    view = opened_view(scribe.fake)
    say(scribe, "mark resolved", at="2026-11-29T14:30:00Z")
    say(scribe, "close", at="2026-11-29T14:31:00Z")
    body = submit(scribe, view, form("All good")).json()
    assert "This incident is closed" in body["errors"][STATUS_BLOCK]
    assert update_rows(scribe) == 0


def test_an_update_pings_nobody_whatever_it_says(scribe: Scribe) -> None:
    ours = scribe_with(scribe, stakeholder_channel="CSTAKE")
    started(ours)
    say(ours, "update <!channel> <@U3> broke it, see <https://evil.example|docs>", at="2026-11-29T14:20:00Z")
    settled(ours)
    for post in posts_keyed(ours.fake, "update:"):
        text = post.params["text"]
        assert "<!channel>" not in text
        assert "<@U3>" not in text
        assert "|docs>" not in text
        assert "docs (<https://evil.example>)" in text


def test_an_update_outside_an_incident_channel_is_refused_and_writes_nothing(scribe: Scribe) -> None:
    reply = say(scribe, "update All fine", channel="CRANDOM")
    assert "not an incident channel" in reply["text"]
    assert say(scribe, "update", channel="CRANDOM", at="2026-11-29T14:21:00Z")["text"].startswith(":warning:")
    assert scribe.fake.calls_to("views.open") == []
    assert update_rows(scribe) == 0


def test_an_update_whose_answer_was_lost_is_posted_once(scribe: Scribe) -> None:
    started(scribe)
    settled(scribe)
    scribe.fake.lose_answer("chat.postMessage")
    say(scribe, "update Rolled back", at="2026-11-29T14:20:00Z")
    wait_for_background()
    run_jobs(scribe, "2026-11-29T14:40:00Z")
    settled(scribe)
    assert len(scribe.fake.posted("C1")) == len({json.dumps(m.get("metadata")) for m in scribe.fake.posted("C1")})
    assert len(posts_keyed(scribe.fake, "update:")) == 1


def test_the_forms_poster_is_named_as_slack_sent_them_when_the_cache_has_no_name(scribe: Scribe) -> None:
    started(scribe)
    say(scribe, "update", at="2026-11-29T14:20:00Z")
    view = opened_view(scribe.fake)
    payload = {
        "type": "view_submission",
        "team": {"id": "T111", "domain": "acme"},
        "user": {"id": "U9", "team_id": "T111", "username": "lin", "name": "lin"},
        "trigger_id": "1.2.3",
        "view": {**view, "id": "VNAMED", "state": {"values": form("Looking into it")}},
    }
    assert scribe.slack.action(payload).status == 200
    wait_for_background()
    settled(scribe)
    [post] = posts_keyed(scribe.fake, "update:")
    assert "_Posted by @lin at 14:20 UTC · Incident commander <@U1>_" in post.params["text"]
