"""The Procfile's web server logs like the scribe command: LOG_LEVEL, one format, the request named."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.e2e.test_cli import ROOT, clean_env, free_port
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SIGNING_SECRET, sign
from tests.support.waiting import wait_for

TAGGED = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO \S+ team=T111 channel=C1 event=/incident:start: backfilled C1"
)


@pytest.fixture
def web_server(database_url: str, tmp_path: Path) -> Iterator[tuple[int, Path, FakeSlack]]:
    """gunicorn serving bot.wsgi with the Procfile's worker settings; yields its port, its stderr
    and the fake Web API behind it."""
    fake = FakeSlack().start()
    port = free_port()
    log = tmp_path / "web.log"
    env = clean_env(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        LOG_LEVEL="INFO",
    )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        "1",
        "--threads",
        "4",
        "bot.wsgi:application",
    ]
    with log.open("w") as stderr:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("gunicorn did not come up:\n" + log.read_text())
                time.sleep(0.1)
        yield port, log, fake
    finally:
        process.terminate()
        process.wait(timeout=30)
        fake.stop()


def signed_command(port: int, text: str, response_url: str) -> int:
    form = urlencode(
        {
            "team_id": "T111",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/incident",
            "text": text,
            "api_app_id": "A111",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )
    now = int(time.time())
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": sign(form, now),
    }
    request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=form.encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def test_the_web_server_logs_in_the_scribe_format_naming_the_request_and_keeps_gunicorns_own_log(
    web_server: tuple[int, Path, FakeSlack],
) -> None:
    port, log, fake = web_server
    assert signed_command(port, "start sev2 Checkout errors", fake.respond_url()) == 200

    tagged = wait_for(
        lambda: [line for line in log.read_text().splitlines() if TAGGED.match(line)], what="the backfill's log line"
    )
    lines = log.read_text().splitlines()
    assert len(tagged) == 1
    assert any(" INFO scribe team=- channel=- event=-: web worker ready: database " in line for line in lines)
    assert any("[INFO] Booting worker with pid" in line for line in lines), "gunicorn's error log is still written"
