"""Posting the draft: on `mark resolved` and `/incident postmortem`, through the outbox and the fake Web API."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main as scribe_cli
from bot.core.message_changes import MessagePost
from bot.jobs import run_due
from bot.services import drafts
from bot.slack.app import build_app
from bot.slack.background import wait_for_background
from bot.slack.client import build_client
from bot.slack.deps import Deps
from bot.web import create_wsgi_app
from storage import incidents as incident_repo
from storage import message_store as message_repo
from storage.models import OutboxMessage
from storage.postmortems import PostmortemVersion
from tests.conftest import Scribe, settings_for
from tests.support.fake_slack import Call, FakeSlack
from tests.support.slack_requests import SlackRequests
from tests.support.waiting import outbox_settled, wait_for

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_MESSAGE_CHARS = 40_000


@pytest.fixture(autouse=True)
def _lazy_listeners_finish_inside_the_test(sessions: sessionmaker[Session], fake_slack: FakeSlack) -> Iterator[None]:
    """Set up after (so torn down before) the database and the fake Slack the listeners use."""
    yield
    wait_for_background()


def command(scribe: Scribe, text: str, *, at: str | None = None, user: str = "U1", channel: str = "C1") -> str:
    if at is not None:
        scribe.clock.set(at)
    response = scribe.command(text, user=user, channel=channel)
    assert response.status == 200, response.body
    return response.json()["text"]


def posted_drafts(scribe: Scribe, count: int = 1) -> list[Call]:
    """The summary messages, once their files are uploaded too (the file goes after the message)
    and the outbox has recorded both as sent."""
    fake = scribe.fake
    wait_for(lambda: len(fake.calls_to("files.completeUploadExternal")) >= count, what=f"{count} draft uploads")
    wait_for(lambda: outbox_settled(scribe.sessions), what="the outbox to record what it sent")
    return [call for call in fake.calls_to("chat.postMessage") if "Postmortem draft" in (call.params.get("text") or "")]


def uploads(fake: FakeSlack) -> list[str]:
    return [call.params["bytes"].decode("utf-8") for call in fake.calls_to("upload")]


def blocks_of(call: Call) -> list[dict[str, Any]]:
    blocks = call.params["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def assert_within_slack_limits(blocks: list[dict[str, Any]]) -> None:
    assert 0 < len(blocks) <= MAX_BLOCKS
    assert len(json.dumps(blocks, ensure_ascii=False)) <= MAX_MESSAGE_CHARS
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= MAX_SECTION_CHARS
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150


def scribe_with(scribe: Scribe, **overrides: Any) -> Scribe:
    """The same database and fake Slack, with other settings."""
    settings = settings_for(scribe.settings.database_url, scribe.fake, **overrides)
    deps = Deps(settings=settings, sessions=scribe.sessions, clock=scribe.clock)
    wsgi = create_wsgi_app(build_app(deps))
    return replace(
        scribe,
        slack=SlackRequests(wsgi, response_url=scribe.fake.respond_url()),
        settings=settings,
        deps=deps,
        wsgi=wsgi,
    )


def resolved_incident(scribe: Scribe, *, severity: str = "sev2", channel: str = "C1") -> None:
    command(scribe, f"start {severity} Checkout errors", at="2026-11-29T14:00:00Z", channel=channel)
    scribe.slack.message(channel, "1795960980.000100", "checkout returns 500s")
    command(scribe, "mark detected", at="2026-11-29T14:05:00Z", channel=channel)
    command(scribe, "mark mitigated", at="2026-11-29T14:30:00Z", channel=channel)


def test_marking_resolved_posts_a_summary_message_and_the_markdown_file(scribe: Scribe) -> None:
    resolved_incident(scribe)
    answer = command(scribe, "mark resolved", at="2026-11-29T15:00:00Z")
    assert "Version 1 of the full postmortem draft is being posted to this channel" in answer
    [message] = posted_drafts(scribe)
    assert message.params["channel"] == "C1"
    blocks = blocks_of(message)
    assert_within_slack_limits(blocks)
    assert blocks[0]["text"]["text"] == "Postmortem draft v1: Checkout errors"
    shown = json.dumps(blocks)
    assert "Time to mitigate: 25m" in shown
    assert "Resolved*\\n15:00 (+55m)" in shown
    assert len(scribe.fake.calls_to("files.getUploadURLExternal")) == 1
    [complete] = scribe.fake.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C1"
    [markdown] = uploads(scribe.fake)
    assert markdown.startswith(
        "# Postmortem: Checkout errors\n\nVersion 1 · sev2 · full postmortem · generated 2026-11-29 15:00 UTC"
    )
    assert "- [14:03](https://acme.slack.com/archives/C1/p1795960980000100) @Ada: checkout returns 500s" in markdown


def test_the_draft_is_built_only_once_the_answer_to_mark_resolved_has_been_written(scribe: Scribe) -> None:
    resolved_incident(scribe)
    scribe.fake.reset_calls()
    unsent: list[Iterable[bytes]] = []

    def server_holding_the_answer(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        unsent.append(scribe.wsgi(environ, start_response))  # answered, not written to Slack yet
        return [b"{}"]

    SlackRequests(server_holding_the_answer, response_url=scribe.fake.respond_url()).command(
        "mark resolved", channel="C1", user="U1"
    )
    with pytest.raises(AssertionError, match="timed out"):  # nothing that follows the answer has begun
        wait_for(lambda: scribe.fake.calls, timeout=1.0, what="a Web API call")
    with scribe.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    [answer] = unsent
    assert "Version 1 of the full postmortem draft is being posted" in json.loads(b"".join(answer))["text"]
    [message] = posted_drafts(scribe)  # written: the draft follows at once
    assert blocks_of(message)[0]["text"]["text"] == "Postmortem draft v1: Checkout errors"


def test_the_postmortem_command_posts_a_new_numbered_version(scribe: Scribe) -> None:
    resolved_incident(scribe)
    command(scribe, "mark resolved", at="2026-11-29T15:00:00Z")
    posted_drafts(scribe, 1)
    command(scribe, "cause A config push skipped the canary stage", at="2026-11-30T09:00:00Z")
    answer = command(scribe, "postmortem", at="2026-11-30T09:05:00Z", user="U2")
    assert answer == ":memo: Version 2 of the full postmortem draft is being posted to this channel."
    first, second = posted_drafts(scribe, 2)
    assert blocks_of(second)[0]["text"]["text"] == "Postmortem draft v2: Checkout errors"
    assert "regenerated for <@U2>" in json.dumps(blocks_of(second))
    assert "posted on resolution" in json.dumps(blocks_of(first))
    v1, v2 = uploads(scribe.fake)
    assert "Version 1 ·" in v1
    assert "Version 2 ·" in v2
    assert "- A config push skipped the canary stage" in v2
    assert "A config push" not in v1
    with scribe.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PostmortemVersion)) == 2
        keys = sorted(session.scalars(select(OutboxMessage.key)))
    assert keys == ["draft:1:v1", "draft:1:v1:file", "draft:1:v2", "draft:1:v2:file"]


def test_the_workspace_url_for_permalinks_is_asked_of_slack_only_once(scribe: Scribe) -> None:
    resolved_incident(scribe)
    before = len(scribe.fake.calls_to("auth.test"))  # Bolt verifies its token when it starts
    command(scribe, "mark resolved", at="2026-11-29T15:00:00Z")
    command(scribe, "postmortem", at="2026-11-29T15:10:00Z")
    posted_drafts(scribe, 2)
    assert len(scribe.fake.calls_to("auth.test")) == before + 1
    with scribe.sessions() as session:
        assert incident_repo.workspace_url(session, "T111") == "https://acme.slack.com/"


def test_without_the_workspace_url_the_draft_is_still_posted_without_links(scribe: Scribe) -> None:
    scribe.fake.responses["auth.test"] = {"ok": False, "error": "invalid_auth"}
    resolved_incident(scribe)
    command(scribe, "mark resolved", at="2026-11-29T15:00:00Z")
    posted_drafts(scribe)
    [markdown] = uploads(scribe.fake)
    assert "- 14:03 @Ada: checkout returns 500s" in markdown
    assert "https://" not in markdown


def test_a_refused_resolution_posts_no_draft(scribe: Scribe) -> None:
    resolved_incident(scribe)
    answer = command(scribe, "mark resolved at 23:00", at="2026-11-29T15:00:00Z")
    assert answer.startswith(":warning:")
    with scribe.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert session.scalar(select(func.count()).select_from(PostmortemVersion)) == 0


def test_the_postmortem_command_outside_an_incident_channel_explains_how_to_start(scribe: Scribe) -> None:
    answer = command(scribe, "postmortem", channel="C9")
    assert answer.startswith(":warning: This channel is not an incident channel yet.")


def test_a_low_severity_incident_gets_a_short_summary(scribe: Scribe) -> None:
    resolved_incident(scribe, severity="sev3")
    answer = command(scribe, "mark resolved", at="2026-11-29T15:00:00Z")
    assert "Version 1 of the short postmortem summary" in answer
    [message] = posted_drafts(scribe)
    shown = json.dumps(blocks_of(message))
    assert "short summary" in shown
    assert "/incident surprised" in shown
    assert "Root cause" not in shown
    [markdown] = uploads(scribe.fake)
    assert "short summary" in markdown.splitlines()[2]
    assert "## Root cause" not in markdown
    assert "## Appendix: Transcript" not in markdown
    assert "## Action items" in markdown


def test_a_surprise_gets_a_low_severity_incident_the_full_draft(scribe: Scribe) -> None:
    resolved_incident(scribe, severity="sev4")
    answer = command(scribe, "surprised nobody knew the cron ran there", at="2026-11-29T14:40:00Z", user="U3")
    assert "surprised us" in answer
    assert "> nobody knew the cron ran there" in answer
    answer = command(scribe, "mark resolved", at="2026-11-29T15:00:00Z")
    assert "Version 1 of the full postmortem draft" in answer
    posted_drafts(scribe)
    [markdown] = uploads(scribe.fake)
    assert "sev4 · full postmortem" in markdown
    assert "## Root cause" in markdown


def test_the_severities_that_need_a_full_draft_come_from_the_settings(scribe: Scribe) -> None:
    strict = scribe_with(scribe, postmortem_severities=("sev1",))
    resolved_incident(strict, severity="sev2")
    assert "short postmortem summary" in command(strict, "mark resolved", at="2026-11-29T15:00:00Z")
    posted_drafts(strict)
    assert "sev2 · short summary" in uploads(strict.fake)[0]


def test_a_teams_own_template_shapes_the_markdown(scribe: Scribe, tmp_path: Path) -> None:
    template = tmp_path / "ours.md.j2"
    template.write_text(
        "{{ draft.title }} / {{ draft.severity }} / v{{ draft.version }}\n{% for "
        "line in draft.timeline %}* {{ line.time }} {{ line.label or line.text "
        "}}\n{% endfor %}",
        encoding="utf-8",
    )
    ours = scribe_with(scribe, postmortem_template=str(template))
    resolved_incident(ours)
    command(ours, "mark resolved", at="2026-11-29T15:00:00Z")
    posted_drafts(ours)
    assert uploads(ours.fake) == [
        "Checkout errors / sev2 / v1\n* 14:05 DETECTED\n* 14:30 MITIGATED\n* 15:00 RESOLVED\n"
    ]


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (None, "cannot be read"),
        ("{% for x in %}", "failed to render"),
        ("{{ draft.no_such_thing }}", "failed to render"),
    ],
)
def test_a_broken_team_template_falls_back_to_the_packaged_one_and_says_so(
    scribe: Scribe, tmp_path: Path, source: str | None, problem: str
) -> None:
    template = tmp_path / "broken.md.j2"
    if source is not None:
        template.write_text(source, encoding="utf-8")
    ours = scribe_with(scribe, postmortem_template=str(template))
    resolved_incident(ours)
    command(ours, "mark resolved", at="2026-11-29T15:00:00Z")
    [message] = posted_drafts(ours)
    assert problem in json.dumps(blocks_of(message))
    assert "The packaged template was used" in json.dumps(blocks_of(message))
    [markdown] = uploads(ours.fake)
    assert markdown.startswith("# Postmortem: Checkout errors")


def test_the_cli_prints_the_markdown_that_was_uploaded(
    scribe: Scribe, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    resolved_incident(scribe)
    command(scribe, "mark resolved", at="2026-11-29T15:00:00Z")
    posted_drafts(scribe)
    monkeypatch.setenv("DATABASE_URL", scribe.settings.database_url)
    monkeypatch.delenv("SCRIBE_POSTMORTEM_TEMPLATE", raising=False)
    assert scribe_cli(["postmortem", "C1", "--format", "markdown", "--now", "2026-11-29T15:00:00Z"]) == 0
    assert capsys.readouterr().out == uploads(scribe.fake)[0]


def test_the_cli_json_keeps_the_contract_keys_and_adds_the_sections(
    scribe: Scribe, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    resolved_incident(scribe)
    command(scribe, "impact 3% of checkouts failed for 25 minutes", at="2026-11-29T14:50:00Z")
    command(scribe, "mark resolved", at="2026-11-29T15:00:00Z")
    posted_drafts(scribe)
    monkeypatch.setenv("DATABASE_URL", scribe.settings.database_url)
    assert scribe_cli(["postmortem", "C1", "--format", "json", "--now", "2026-11-29T15:00:00Z"]) == 0
    draft = json.loads(capsys.readouterr().out)
    assert {"incident", "phases", "timeline", "action_items"} <= draft.keys()
    assert draft["incident"] == {
        "channel": "C1",
        "title": "Checkout errors",
        "severity": "sev2",
        "status": "resolved",
        "service": None,
    }
    assert draft["phases"] == {
        "detected": "2026-11-29T14:05:00Z",
        "acknowledged": None,
        "mitigated": "2026-11-29T14:30:00Z",
        "resolved": "2026-11-29T15:00:00Z",
    }
    assert draft["sections"]["impact"] == ["3% of checkouts failed for 25 minutes"]
    assert draft["sections"]["durations"] == {"acknowledged": None, "mitigated": 1500, "resolved": 3300}
    assert draft["draft"]["version"] == 1
    assert draft["draft"]["full"] is True


def test_an_incident_of_5000_messages_is_posted_within_slacks_limits(scribe: Scribe) -> None:
    command(scribe, "start sev1 Database failover storm", at="2026-11-29T10:00:00Z")
    start = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    posts = []
    for n in range(5000):
        at = start + timedelta(seconds=2 * n)
        ts = f"{int(at.timestamp())}.{n:06d}"
        bot = n % 10 == 0  # 500 alert-bot posts: key events
        posts.append(
            MessagePost(
                ts=ts,
                posted_at=at.replace(microsecond=n),
                text=f"message {n}: " + ("replica lag on db-7 " * 12),
                user=None if bot else f"U{n % 7}",
                bot_id="B999" if bot else None,
                bot_name="Datadog" if bot else None,
            )
        )
    with scribe.sessions.begin() as session:
        incident_id = incident_repo.incident_id_for_channel(session, "T111", "C1")
        assert incident_id is not None
        for first in range(0, len(posts), 1000):  # PostgreSQL takes at most 65,535 parameters a statement
            message_repo.save_posts(
                session,
                posts[first : first + 1000],
                incident_id=incident_id,
                team_id="T111",
                channel_id="C1",
                source="live",
            )
    command(scribe, "mark detected at 10:01 UTC", at="2026-11-29T13:00:00Z")
    command(scribe, "went-poorly " + "The failover script retried without backoff and saturated the primary. " * 20)
    answer = command(scribe, "mark resolved", at="2026-11-29T13:00:00Z")
    assert "Version 1" in answer
    [message] = posted_drafts(scribe)
    blocks = blocks_of(message)
    assert_within_slack_limits(blocks)
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "more key events in the file" in shown
    [markdown] = uploads(scribe.fake)
    assert markdown.count("Datadog (bot)") == 1000  # each alert in the timeline and in the transcript
    assert "message 4999: replica lag" in markdown


def test_a_draft_reserved_by_a_process_that_died_before_building_it_is_posted_by_the_clock(scribe: Scribe) -> None:
    resolved_incident(scribe)
    scribe.clock.set("2026-11-29T15:00:00Z")
    # What `mark resolved` commits before answering, without the work after the answer:
    with scribe.sessions.begin() as session:
        reserved = drafts.reserve_draft(
            session,
            team_id="T111",
            channel_id="C1",
            now=scribe.clock(),
            settings=scribe.settings,
            reason="resolved",
            requested_by="U1",
        )
    assert reserved.version == 1
    with scribe.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    client = build_client(scribe.settings.slack_bot_token, scribe.settings.slack_api_url)
    run_due(scribe.deps, client, scribe.clock())
    [message] = posted_drafts(scribe)
    assert message.params["channel"] == "C1"
    run_due(scribe.deps, client, scribe.clock())  # a second pass finds nothing left to build or send
    assert len(posted_drafts(scribe)) == 1
    assert len(scribe.fake.calls_to("files.completeUploadExternal")) == 1
