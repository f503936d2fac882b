"""The scribe command as an operator runs it: real processes, real database, fake Slack."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import Scribe
from tests.support.databases import server_url
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]


def scribe_cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SCRIBE_", "DATABASE_URL"))}
    env.update(values)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_postmortem_json_prints_the_contracts_draft(scribe: Scribe, database_url: str) -> None:
    scribe.slack.command("start sev2 Search is slow", channel="C42", user="U1")
    scribe.slack.message("C42", "1764428400.000100", "p99 at 4s", user="U1")
    scribe.slack.command("mark detected at 14:00 UTC", channel="C42", user="U1")
    result = scribe_cli("postmortem", "C42", "--format", "json", env=clean_env(DATABASE_URL=database_url))
    assert result.returncode == 0, result.stderr
    draft = json.loads(result.stdout)
    assert {"incident", "phases", "timeline", "action_items"} <= set(draft)
    assert draft["incident"]["channel"] == "C42"
    assert draft["incident"]["title"] == "Search is slow"
    assert draft["incident"]["severity"] == "sev2"
    assert draft["incident"]["status"] == "active"
    assert draft["phases"] == {
        "detected": "2026-11-29T14:00:00Z",
        "acknowledged": None,
        "mitigated": None,
        "resolved": None,
    }
    assert [(e["at"], e["kind"], e["user"], e["text"]) for e in draft["timeline"]] == [
        ("2025-11-29T15:00:00.000100Z", "message", "U1", "p99 at 4s"),
        ("2026-11-29T14:00:00Z", "detected", "U1", None),
    ]


def test_postmortem_markdown_prints_a_utc_timeline(scribe: Scribe, database_url: str) -> None:
    scribe.slack.command("start sev2 Search is slow", channel="C42", user="U1")
    scribe.slack.command("mark detected at 14:00 UTC", channel="C42", user="U1")
    result = scribe_cli("postmortem", "C42", env=clean_env(DATABASE_URL=database_url))
    assert result.returncode == 0, result.stderr
    assert "Search is slow" in result.stdout
    assert "14:00" in result.stdout


def test_postmortem_of_an_unknown_channel_says_so_and_exits_non_zero(database_url: str) -> None:
    result = scribe_cli("postmortem", "CNOPE", env=clean_env(DATABASE_URL=database_url))
    assert result.returncode == 1
    assert "no incident is recorded for channel CNOPE" in result.stderr


@pytest.mark.parametrize(
    ("args", "present", "missing"),
    [
        (("serve",), {"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        (("serve",), {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        (("serve", "--socket"), {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
    ],
)
def test_serve_names_the_missing_variable_and_how_to_get_it_in_one_line(
    tmp_path: Path, args: tuple[str, ...], present: dict[str, str], missing: str
) -> None:
    result = scribe_cli(*args, env=clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", **present))
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert missing in lines[0]
    assert "api.slack.com/apps" in lines[0]


def test_serve_migrates_the_database_then_answers_health_checks_and_signed_requests(tmp_path: Path) -> None:
    fake = FakeSlack().start()
    port = free_port()
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        WEB_CONCURRENCY="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    pytest.fail("server did not come up:\n" + (process.stdout.read() if process.stdout else ""))
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/slack/events", data=b"{}", headers={"Content-Type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 401
        refused.value.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stdout:
            process.stdout.close()
        fake.stop()
    assert (tmp_path / "serve.db").exists()


def test_jobs_run_accepts_an_explicit_instant_and_exits(database_url: str) -> None:
    fake = FakeSlack().start()
    try:
        result = scribe_cli(
            "jobs",
            "run",
            "--now",
            "2026-11-30T09:00:00Z",
            env=clean_env(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-1", SLACK_API_URL=fake.url),
        )
    finally:
        fake.stop()
    assert result.returncode == 0, result.stderr


def test_jobs_run_refuses_an_instant_without_a_zone(database_url: str) -> None:
    result = scribe_cli("jobs", "run", "--now", "2026-11-30T09:00:00", env=clean_env(DATABASE_URL=database_url))
    assert result.returncode == 2
    assert "has no zone" in result.stderr


PASSWORD = "hunter2-do-not-show"


def unreachable_postgres_url() -> str:
    return f"postgresql+psycopg://scribe:{PASSWORD}@127.0.0.1:{free_port()}/scribe"


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (("migrate",), {}),
        (("serve",), {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}),
        (("scheduler",), {"SLACK_BOT_TOKEN": "xoxb-1"}),
    ],
)
def test_a_database_that_cannot_be_reached_is_named_in_one_line_without_its_password(
    args: tuple[str, ...], extra: dict[str, str]
) -> None:
    url = unreachable_postgres_url()
    result = scribe_cli(*args, env=clean_env(DATABASE_URL=url, **extra))
    assert result.returncode == 1
    assert PASSWORD not in result.stdout + result.stderr
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith(f"error: could not use the database at {url.replace(PASSWORD, '***')}: connection failed")
    assert "Traceback" not in result.stderr


def test_serve_names_the_database_it_starts_with_without_its_password() -> None:
    result = scribe_cli(
        "serve",
        env=clean_env(DATABASE_URL=unreachable_postgres_url(), SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s"),
    )
    (starting,) = [line for line in result.stderr.splitlines() if "starting Incident Scribe" in line]
    assert "database postgresql+psycopg://scribe:***@127.0.0.1:" in starting
    assert PASSWORD not in result.stderr


def test_a_malformed_database_url_is_refused_without_repeating_it() -> None:
    result = scribe_cli("migrate", env=clean_env(DATABASE_URL=f"postgres ql://scribe:{PASSWORD}@db/scribe"))
    assert result.returncode != 0
    assert PASSWORD not in result.stdout + result.stderr
    assert "DATABASE_URL is not a database URL" in result.stderr


@pytest.mark.skipif(not server_url(), reason="a database URL with a password that connects needs PostgreSQL")
def test_migrate_names_the_database_it_upgraded_without_its_password(database_url: str) -> None:
    with_password = make_url(database_url).set(password=PASSWORD).render_as_string(hide_password=False)
    result = scribe_cli("migrate", env=clean_env(DATABASE_URL=with_password, LOG_LEVEL="INFO"))
    assert PASSWORD not in result.stdout + result.stderr
    if result.returncode == 0:  # a server that trusts local connections ignores the password
        assert ":***@" in result.stderr
        assert "is at the newest schema" in result.stderr
    else:
        assert ":***@" in result.stderr
        assert "could not use the database" in result.stderr
