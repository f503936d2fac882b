"""Every log line written while a Slack request is handled names its workspace, channel and event,
also when the work goes on in another thread after the answer."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
from pathlib import Path

import pytest

from bot.logs import configure_logging
from bot.slack import action_blocks as blocks
from bot.slack.app import build_app
from bot.slack.background import wait_for_background
from bot.web import create_wsgi_app
from storage.live_writer import live_message_commits
from storage.session import make_engine, make_session_factory
from tests.conftest import Scribe
from tests.support.slack_requests import SlackRequests, event_callback

LINE = re.compile(
    r"^(?P<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<level>[A-Z]+) (?P<logger>\S+) "
    r"team=(?P<team>\S+) channel=(?P<channel>\S+) event=(?P<event>\S+): (?P<message>.*)$"
)


@pytest.fixture
def log_lines() -> io.StringIO:
    """What the app logs at INFO and above, in the production format."""
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    return stream


def lines_about(stream: io.StringIO, words: str) -> list[dict[str, str]]:
    found = []
    for line in stream.getvalue().splitlines():
        match = LINE.match(line)
        if match and words in match["message"]:
            found.append(match.groupdict())
    return found


def tags(line: dict[str, str]) -> tuple[str, str, str]:
    return line["team"], line["channel"], line["event"]


def test_a_message_event_that_fails_logs_its_workspace_channel_and_event_id(
    scribe: Scribe, log_lines: io.StringIO, tmp_path: Path
) -> None:
    broken_engine = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    broken = make_session_factory(broken_engine)
    deps = dataclasses.replace(scribe.deps, sessions=broken, writes=live_message_commits(broken_engine))
    down = SlackRequests(create_wsgi_app(build_app(deps)))
    event = {
        "type": "message",
        "channel": "C77",
        "user": "U1",
        "text": "is the database up?",
        "ts": "1764428400.000100",
        "channel_type": "channel",
    }

    assert down.event(event_callback(event, team_id="T111", event_id="Ev0DOWN1")).status >= 500

    failures = lines_about(log_lines, "failed to handle message")
    assert failures
    assert failures[0]["level"] == "ERROR"
    assert tags(failures[0]) == ("T111", "C77", "Ev0DOWN1")
    assert "is the database up?" not in log_lines.getvalue()
    deps.writes.close()


def test_a_slash_command_logs_its_workspace_channel_and_subcommand(scribe: Scribe, log_lines: io.StringIO) -> None:
    scribe.slack.command("start sev2 Checkout errors", channel="C9")
    scribe.fake.responses["users.info"] = {"ok": False, "error": "user_not_found"}

    assert scribe.slack.command("mark detected at 14:05", channel="C9", user="U4").status == 200
    wait_for_background()  # U4's zone is looked up after the answer, under the command's tags

    warnings = lines_about(log_lines, "users.info failed for U4")
    assert warnings
    assert tags(warnings[0]) == ("T111", "C9", "/incident:mark")


def test_work_after_the_answer_logs_the_request_it_came_from(scribe: Scribe, log_lines: io.StringIO) -> None:
    assert scribe.slack.command("start sev2 Checkout errors", channel="C5").status == 200
    wait_for_background()

    backfilled = lines_about(log_lines, "backfilled C5")
    assert backfilled, log_lines.getvalue()
    assert tags(backfilled[0]) == ("T111", "C5", "/incident:start")


def test_a_lazy_listener_logs_the_request_it_came_from(scribe: Scribe, log_lines: io.StringIO) -> None:
    scribe.slack.command("start sev2 Checkout errors", channel="C6")
    wait_for_background()
    scribe.fake.fail("chat.postMessage", 200, body={"ok": False, "error": "ratelimited"})

    assert scribe.slack.command("action <@U2> tomorrow Alert on certificate expiry", channel="C6").status == 200
    wait_for_background()

    retried = lines_about(log_lines, "attempt 1 failed, will retry")
    assert retried, log_lines.getvalue()
    assert tags(retried[0]) == ("T111", "C6", "/incident:action")
    assert "certificate expiry" not in log_lines.getvalue()


def test_a_button_click_is_named_by_its_kind_as_it_has_no_event_id(scribe: Scribe, log_lines: io.StringIO) -> None:
    click = {
        "type": "block_actions",
        "team": {"id": "T111"},
        "user": {"id": "U1"},
        "channel": {"id": "D1"},
        "container": {"type": "message", "channel_id": "D1", "message_ts": "1764428400.000100"},
        "actions": [{"action_id": blocks.DONE, "value": "999", "type": "button"}],
        "trigger_id": "1.2.3",
    }
    scribe.slack.action(click)

    refused = lines_about(log_lines, "refused an action-item button")
    assert refused
    assert tags(refused[0]) == ("T111", "D1", f"block_actions:{blocks.DONE}")


def test_a_line_outside_any_request_says_so_with_dashes(log_lines: io.StringIO) -> None:
    logging.getLogger("bot.test").warning("the clock ran")

    (line,) = lines_about(log_lines, "the clock ran")
    assert tags(line) == ("-", "-", "-")
