"""Each workspace's weekly review and announcements go to its own channel, chosen with
`/incident review here` / `/incident announce here`, and never to another workspace's."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.jobs import run_due
from bot.settings import Settings
from bot.slack.client import build_client
from bot.slack.deps import Deps
from tests.conftest import Clock, Scribe
from tests.slack.test_oauth_install import MultiWorkspace, multi
from tests.support.action_items import command, posts_with_key, run_jobs, start_incident, wait_for

__all__ = ["multi"]

MONDAY = "2026-12-07T09:05:00Z"
NEXT_MONDAY = "2026-12-14T09:05:00Z"


def reviews(fake):
    return [
        (call.params["channel"], call.headers["Authorization"].removeprefix("Bearer "))
        for call in posts_with_key(fake, "review:")
    ]


def test_review_here_sends_the_weekly_review_to_this_channel_without_any_setting(scribe: Scribe) -> None:
    start_incident(scribe)
    reply = command(scribe, "review here", channel="CREVIEW", user="U2")
    assert reply["response_type"] == "in_channel"
    assert "<@U2> chose this channel for the weekly review" in reply["text"]
    assert "every Monday at 09:00 UTC" in reply["text"]
    assert "<#CREVIEW> gets the weekly review" in command(scribe, "review", channel="C1")["text"]

    run_jobs(scribe, MONDAY)
    assert wait_for(lambda: reviews(scribe.fake), what="the review") == [("CREVIEW", "xoxb-test-token")]


def test_a_workspaces_choice_wins_over_the_setting_and_off_stops_the_review(scribe: Scribe) -> None:
    start_incident(scribe)
    command(scribe, "review here", channel="CMINE")
    run_jobs(scribe, MONDAY, review_channel="CSETTING")
    assert wait_for(lambda: reviews(scribe.fake), what="the review") == [("CMINE", "xoxb-test-token")]

    assert "turned off the weekly review" in command(scribe, "review off", channel="CMINE")["text"]
    assert "No channel gets the weekly review" in command(scribe, "review")["text"]
    run_jobs(scribe, NEXT_MONDAY, review_channel="CSETTING")
    assert len(reviews(scribe.fake)) == 1


def test_without_a_choice_or_a_setting_no_review_is_sent(scribe: Scribe) -> None:
    start_incident(scribe)
    run_jobs(scribe, MONDAY)
    assert reviews(scribe.fake) == []
    assert "Run `/incident review here`" in command(scribe, "review")["text"]


def test_anything_but_here_or_off_is_refused_with_the_grammar(scribe: Scribe) -> None:
    reply = command(scribe, "review #ops")
    assert reply.get("response_type") != "in_channel"
    assert "takes `here`" in reply["text"]
    run_jobs(scribe, MONDAY, review_channel=None)
    assert reviews(scribe.fake) == []


def test_announce_here_is_where_declared_incidents_are_announced(scribe: Scribe) -> None:
    command(scribe, "announce here", channel="CANNOUNCE")
    scribe.fake.responses["conversations.create"] = {
        "ok": True,
        "channel": {"id": "CNEW", "name": "inc-20261129-db-down"},
    }
    command(scribe, "declare sev1 DB down", channel="C1")
    posted = wait_for(
        lambda: [c for c in scribe.fake.calls_to("chat.postMessage") if c.params["channel"] == "CANNOUNCE"],
        what="the announcement",
    )
    assert "DB down" in posted[0].params["text"]


def run_multi(multi: MultiWorkspace, clock: Clock, iso: str, **settings: Any) -> None:
    clock.set(iso)
    deps = Deps(settings=dataclasses.replace(multi.deps.settings, **settings), sessions=multi.sessions, clock=clock)
    run_due(deps, build_client(None, multi.fake.url), clock())


def test_with_many_workspaces_each_review_goes_to_that_workspaces_channel_with_its_token(
    multi: MultiWorkspace, clock: Clock
) -> None:
    multi.install("T111", "xoxb-one")
    multi.install("T222", "xoxb-two")
    clock.set("2026-12-01T10:00:00Z")
    for team in ("T111", "T222"):
        assert multi.slack.command("start sev2 Outage", channel="C1", team_id=team).status == 200
    assert multi.slack.command("review here", channel="CREV1", team_id="T111").status == 200

    # A bare channel id belongs to one workspace: with many, it is used for none of them.
    run_multi(multi, clock, MONDAY, review_channel="CSHARED")
    assert wait_for(lambda: reviews(multi.fake), what="the review") == [("CREV1", "xoxb-one")]

    run_multi(multi, clock, NEXT_MONDAY, review_channel="T222:CREV2")
    assert wait_for(lambda: len(reviews(multi.fake)) == 3 and reviews(multi.fake), what="both reviews")[1:] == [
        ("CREV1", "xoxb-one"),
        ("CREV2", "xoxb-two"),
    ]


def test_the_settings_take_one_channel_or_workspace_channel_pairs_and_refuse_anything_else() -> None:
    assert Settings.from_env({"SCRIBE_REVIEW_CHANNEL": "C0123ABC"}).review_channel == "C0123ABC"
    assert (
        Settings.from_env({"SCRIBE_ANNOUNCE_CHANNEL": "T01AB:C0123, T02CD:G0456"}).announce_channel
        == "T01AB:C0123, T02CD:G0456"
    )
    for bad in ("#incidents", "T01AB:#ops", "T01AB:C0123,T01AB:C0456", "C0123,"):
        with pytest.raises(SystemExit, match="SCRIBE_REVIEW_CHANNEL"):
            Settings.from_env({"SCRIBE_REVIEW_CHANNEL": bad})


def test_the_review_time_setting_is_read_once_into_its_plain_form_and_a_bad_one_stops_the_start() -> None:
    assert Settings.from_env({}).review_at == "mon 09:00"
    assert Settings.from_env({"SCRIBE_REVIEW_AT": "Friday 16:30"}).review_at == "fri 16:30"
    for bad in ("someday 09:00", "mon 25:00", "mon"):
        with pytest.raises(SystemExit, match="SCRIBE_REVIEW_AT"):
            Settings.from_env({"SCRIBE_REVIEW_AT": bad})
