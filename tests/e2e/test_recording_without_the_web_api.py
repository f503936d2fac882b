"""The Procfile's web line keeps the record while Slack's Web API is unreachable, and the work
that needs Slack is done, once, when it is back.

Started with the environment of the README's single-workspace setup plus Sign in with Slack
(``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` in the environment, which Bolt reads on its own),
and ``SLACK_API_URL`` pointing at a port where nothing listens yet; the fake Web API is then
started on that very port.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.test_cli import ROOT, clean_env, free_port, scribe_cli
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SIGNING_SECRET, event_callback, sign
from tests.support.waiting import wait_for

CHANNEL = "C0DOWN1"


def procfile_web_line() -> str:
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    return line.removeprefix("web:").strip()


@dataclass
class Web:
    base: str
    slack_port: int
    env: dict[str, str]
    log: Path

    def post(self, body: str, content_type: str) -> tuple[int, str, float]:
        now = int(time.time())
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(now),
            "X-Slack-Signature": sign(body, now),
        }
        request = urllib.request.Request(f"{self.base}/slack/events", data=body.encode(), headers=headers)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status), response.read().decode(), time.monotonic() - started
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode(), time.monotonic() - started

    def command(self, words: str) -> tuple[int, str, float]:
        form = {
            "team_id": "T111",
            "team_domain": "acme",
            "channel_id": CHANNEL,
            "channel_name": "inc-down",
            "user_id": "U1",
            "user_name": "ana",
            "command": "/incident",
            "text": words,
            "api_app_id": "A111",
            "response_url": f"http://127.0.0.1:{self.slack_port}/respond/1",
            "trigger_id": "1.2.3",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def message(self, ts: str, words: str, *, user: str = "U1") -> tuple[int, str, float]:
        event = {"type": "message", "channel": CHANNEL, "user": user, "text": words, "ts": ts, "event_ts": ts}
        return self.post(json.dumps(event_callback(event, event_id=f"Ev{ts.replace('.', '')}")), "application/json")


@pytest.fixture
def web(database_url: str, tmp_path: Path) -> Iterator[Web]:
    slack_port, port = free_port(), free_port()
    env = clean_env(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_CLIENT_ID="1111.2222",
        SLACK_CLIENT_SECRET="test-client-secret",
        SCRIBE_SESSION_SECRET="a-long-random-session-secret",
        SLACK_API_URL=f"http://127.0.0.1:{slack_port}/api/",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    log = tmp_path / "web.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["sh", "-c", f"exec {procfile_web_line()}"], env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as health:
                    assert health.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the web line did not come up:\n" + log.read_text())
                time.sleep(0.1)
        yield Web(base, slack_port, env, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_the_web_line_records_with_the_web_api_down_and_does_the_owed_work_once_when_it_is_back(
    web: Web, database_url: str
) -> None:
    answers = [
        web.command("start sev2 Checkout errors"),
        web.message("1764428400.000100", "p99 at 4s"),
        web.message("1764428401.000200", "rolling back", user="U2"),
        web.command("mark detected at 14:00 UTC"),
        web.command("mark resolved"),
    ]
    assert [status for status, _body, _took in answers] == [200] * 5
    assert all(took < 3 for _status, _body, took in answers)
    assert "Checkout errors" in answers[0][1]
    with urllib.request.urlopen(f"{web.base}/healthz", timeout=2) as health:
        assert health.status == 200

    stored = rows(database_url, f"SELECT ts FROM messages WHERE channel_id = '{CHANNEL}' ORDER BY ts")
    assert stored == [("1764428400.000100",), ("1764428401.000200",)]
    assert rows(database_url, f"SELECT status FROM incidents WHERE channel_id = '{CHANNEL}'") == [("resolved",)]
    assert rows(database_url, "SELECT team_id, bot_user_id FROM workspace_identities") == [("T111", None)]

    fake = FakeSlack(port=web.slack_port).start()
    try:
        # The clock's passes, at least two and until nothing is owed: a send whose answer was slow
        # under load is left uncertain and looked up by a later pass (after its backoff), and the web
        # process's own retries run meanwhile; whatever the interleaving, nothing is done twice.
        # 'uncertain' is the outbox's answer to a send that may have landed and cannot be looked
        # up (an upload whose answer was late): by design it is never resent, so it is not owed.
        owed_sql = "SELECT state FROM outbox WHERE state IN ('pending', 'sending')"
        for passes in range(1, 9):
            later = (datetime.now(UTC) + timedelta(hours=passes)).strftime("%Y-%m-%dT%H:%M:%SZ")
            ran = scribe_cli("jobs", "run", "--now", later, env=web.env)
            assert ran.returncode == 0, ran.stderr
            if passes >= 2 and not rows(database_url, owed_sql):
                break
        drafts = wait_for(
            lambda: [call for call in fake.calls_to("chat.postMessage") if call.params.get("channel") == CHANNEL],
            what="the draft posted",
        )
        time.sleep(0.5)
        assert len([c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]) == 1
        assert "Checkout errors" in json.dumps(drafts[0].params)
        assert {call.headers.get("Authorization") for call in fake.calls} <= {"Bearer xoxb-test", None}
        identity = rows(database_url, "SELECT team_id, bot_user_id, bot_id FROM workspace_identities")
        assert identity == [("T111", "UBOT", "BBOT")]
        assert rows(database_url, owed_sql) == []
        assert rows(database_url, "SELECT state FROM outbox WHERE state = 'failed'") == []
    finally:
        fake.stop()


def test_the_web_line_refuses_settings_that_cannot_work_with_one_line_naming_them(
    database_url: str, tmp_path: Path
) -> None:
    env = clean_env(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_CLIENT_ID="1111.2222",
        PORT=str(free_port()),
        WEB_CONCURRENCY="1",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    served = subprocess.run(
        ["sh", "-c", f"exec {procfile_web_line()}"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert served.returncode != 0
    refusal = [line for line in served.stderr.splitlines() if line.startswith("error: ")]
    assert len(refusal) == 1
    assert "SLACK_CLIENT_ID is set without SLACK_CLIENT_SECRET" in refusal[0]
    cli = scribe_cli("serve", "--port", env["PORT"], env=env)
    assert cli.returncode != 0
    assert cli.stderr.strip().splitlines()[-1] == refusal[0]
