"""Faults: the database goes away and comes back; processes are killed mid-work.

The outage is real: on PostgreSQL the app talks to the server through a TCP proxy the test cuts
and restores (the server the rest of the suite shares is never touched); on SQLite the
database file's directory disappears and comes back.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from bot.jobs import run_due
from bot.services import outbox
from bot.services import spool as spool_module
from bot.services.deferred import MAX_ATTEMPTS, STUCK_AFTER
from bot.services.outbox import STUCK_AFTER as OUTBOX_STUCK_AFTER
from bot.services.spool import Spool, kept_event
from bot.slack.app import build_app
from bot.slack.background import wait_for_background
from bot.slack.client import build_client
from bot.slack.delivery import METADATA_EVENT
from bot.slack.deps import Deps
from bot.slack.listeners.events import store_kept_event
from bot.web import create_wsgi_app
from storage.models import DeferredWork, Message, OutboxMessage, PhaseMark
from storage.session import make_engine, make_session_factory
from tests.conftest import Clock, settings_for
from tests.support.databases import server_url
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SIGNING_SECRET, SlackRequests, event_callback, sign
from tests.support.tcp_proxy import TcpProxy
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Outage:
    url: str
    sessions: sessionmaker[Session]
    cut: Callable[[], object]
    restore: Callable[[], object]


@pytest.fixture
def outage(database_url: str, tmp_path: Path) -> Iterator[Outage]:
    if server_url():
        parsed = make_url(database_url)
        proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432).start()
        url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        engine = make_engine(url, connect_args={"connect_timeout": 2})
        yield Outage(url, make_session_factory(engine), proxy.cut, proxy.restore)
        wait_for_background()
        engine.dispose()
        proxy.stop()
        return
    home = tmp_path / "db"
    home.mkdir()
    shutil.move(make_url(database_url).database or "", home / "scribe.db")
    url = f"sqlite:///{home / 'scribe.db'}"
    engine = make_engine(url, poolclass=NullPool)  # every checkout opens the file, so a cut bites at once
    off = tmp_path / "db-off"
    yield Outage(url, make_session_factory(engine), lambda: home.rename(off), lambda: off.rename(home))
    wait_for_background()
    engine.dispose()


def app_on(outage: Outage, fake: FakeSlack, clock: Clock, **settings: Any) -> tuple[SlackRequests, Deps]:
    deps = Deps(settings=settings_for(outage.url, fake, **settings), sessions=outage.sessions, clock=clock)
    return SlackRequests(create_wsgi_app(build_app(deps)), response_url=fake.respond_url()), deps


def payload(n: int, text: str | None = None) -> dict[str, Any]:
    ts = f"17644284{n:02d}.000001"
    return event_callback(
        {"type": "message", "channel": "C1", "user": "U1", "text": text or f"message {n}", "ts": ts, "event_ts": ts},
        event_id=f"Ev{n}",
    )


def stored(outage: Outage) -> list[str]:
    with outage.sessions() as session:
        return list(session.scalars(select(Message.text).order_by(Message.ts)))


def test_events_refused_during_an_outage_are_stored_exactly_once_from_slacks_redeliveries(
    outage: Outage, fake_slack: FakeSlack, clock: Clock
) -> None:
    slack, _ = app_on(outage, fake_slack, clock)
    assert slack.command("start sev1 Database down").status == 200
    assert slack.event(payload(1)).status == 200

    outage.cut()
    assert slack.event(payload(2)).status >= 500
    assert slack.event(payload(3)).status >= 500
    assert slack.event(payload(2), retry_num=1).status >= 500
    outage.restore()

    for event, retry in ((payload(2), 2), (payload(3), 1), (payload(1), 1), (payload(3), 2), (payload(2), 3)):
        assert slack.event(event, retry_num=retry).status == 200
    assert stored(outage) == ["message 1", "message 2", "message 3"]


def test_on_slacks_last_retry_an_unstorable_event_is_spooled_acknowledged_and_replayed_once(
    outage: Outage, fake_slack: FakeSlack, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool_module, "REPLAY_EVERY_SECONDS", 0.0)
    directory = tmp_path / "spool"
    slack, _ = app_on(outage, fake_slack, clock, spool_dir=str(directory))
    assert slack.command("start sev1 Long outage").status == 200

    outage.cut()
    for retry in (None, 1, 2):
        assert slack.event(payload(1), retry_num=retry).status >= 500, (
            "before Slack's last try, Slack's own redelivery is the spool"
        )
    assert Spool(directory).waiting() == 0
    assert slack.event(payload(1), retry_num=3).status == 200
    assert slack.event(payload(2), retry_num=3).status == 200
    assert Spool(directory).waiting() == 2
    assert [oct(p.stat().st_mode & 0o777) for p in directory.iterdir()] == ["0o600", "0o600"]
    outage.restore()

    assert slack.event(payload(3)).status == 200  # the next stored event replays the spool
    assert stored(outage) == ["message 1", "message 2", "message 3"]
    assert Spool(directory).waiting() == 0
    assert slack.event(payload(1), retry_num=3).status == 200
    assert stored(outage) == ["message 1", "message 2", "message 3"]


def test_a_spool_replayed_twice_after_a_crash_stores_each_message_once(
    outage: Outage, fake_slack: FakeSlack, clock: Clock, tmp_path: Path
) -> None:
    slack, deps = app_on(outage, fake_slack, clock)
    assert slack.command("start sev1 Crash during replay").status == 200
    directory = tmp_path / "spool"
    kept = Spool(directory)
    event = payload(4)["event"]
    kept.keep(kept_event("T111", "C1", event))
    claimed = kept.keep(kept_event("T111", "C1", event))
    left_claimed = claimed.with_name(claimed.name + ".999.claimed")  # a replayer died after applying
    claimed.rename(left_claimed)
    old = time.time() - 3600
    os.utime(left_claimed, (old, old))

    jobs_deps = replace(deps, settings=replace(deps.settings, spool_dir=str(directory)))
    run_due(jobs_deps, build_client("xoxb-test-token", fake_slack.url), clock())
    assert stored(outage) == ["message 4"]
    assert kept.waiting() == 0


def test_the_spool_keeps_events_while_the_database_is_down_and_replay_stops_at_the_first_failure(
    outage: Outage, fake_slack: FakeSlack, clock: Clock, tmp_path: Path
) -> None:
    _, deps = app_on(outage, fake_slack, clock)
    kept = Spool(tmp_path / "spool")
    for n in (5, 6):
        kept.keep(kept_event("T111", "C1", payload(n)["event"]))
    outage.cut()
    assert kept.replay(lambda record: store_kept_event(deps.writes, record)) == 0
    assert kept.waiting() == 2
    outage.restore()


# -- processes killed mid-work ---------------------------------------------------------------


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SCRIBE_", "DATABASE_URL"))}
    env.update(values)
    return env


class Gate:
    """Holds the fake Slack's answer to a method until the test opens it: Slack has done the
    work (the message is posted) but the caller has not heard back."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.open = threading.Event()

    def hold(self, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def held(params: dict[str, Any]) -> dict[str, Any]:
            result = answer(params)
            self.entered.set()
            self.open.wait(timeout=30)
            return result

        return held


def kill(process: subprocess.Popen[Any]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_a_jobs_run_killed_after_slack_took_the_post_never_sends_it_twice(
    database_url: str, sessions: sessionmaker[Session], fake_slack: FakeSlack, clock: Clock
) -> None:
    with sessions.begin() as session:
        outbox.enqueue(
            session,
            team_id="T111",
            key="draft:1:v1",
            kind="message",
            channel="C1",
            payload={"text": "the draft"},
            now=clock(),
        )
    in_slack: list[dict[str, Any]] = []

    def post(params: dict[str, Any]) -> dict[str, Any]:
        message = {
            "ts": f"1800000{len(in_slack):03d}.000100",
            "text": params.get("text"),
            "metadata": params.get("metadata"),
        }
        in_slack.append(message)
        return {"ok": True, "channel": params.get("channel"), "ts": message["ts"]}

    gate = Gate()
    fake_slack.responses["chat.postMessage"] = gate.hold(post)
    fake_slack.responses["conversations.history"] = lambda params: {
        "ok": True,
        "messages": list(reversed(in_slack)),
        "has_more": False,
    }
    env = clean_env(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_API_URL=fake_slack.url)
    first = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "jobs", "run", "--now", clock().isoformat()],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert gate.entered.wait(timeout=30), "the jobs run never posted"
        kill(first)  # Slack has the message; the row was never marked sent
    finally:
        gate.open.set()
        if first.poll() is None:
            kill(first)
    assert len(in_slack) == 1
    with sessions() as session:
        assert session.scalars(select(OutboxMessage.state)).one() == "sending"

    later = (clock() + OUTBOX_STUCK_AFTER + timedelta(seconds=1)).isoformat()
    again = subprocess.run(
        [sys.executable, "-m", "bot.cli", "jobs", "run", "--now", later],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert in_slack[0]["metadata"] == {"event_type": METADATA_EVENT, "event_payload": {"key": "draft:1:v1"}}
    with sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.state == "sent"
    assert row.result == {"channel": "C1", "ts": in_slack[0]["ts"]}


def post_signed(port: int, body: str, content_type: str, *, retry_num: int | None = None) -> int:
    timestamp = int(time.time())
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(body, timestamp),
    }
    if retry_num is not None:
        headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_error"})
    request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)


def serve(database_url: str, fake: FakeSlack, port: int) -> subprocess.Popen[Any]:
    env = clean_env(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        WEB_CONCURRENCY="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            assert process.poll() is None, "the server exited"
            return False

    wait_for(healthy, timeout=30, interval=0.1, what="the server to answer /healthz")
    return process


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_web_process_killed_after_accepting_a_command_loses_nothing_and_duplicates_nothing(
    database_url: str, sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    from urllib.parse import urlencode

    def command(text: str, user: str) -> str:
        return urlencode(
            {
                "team_id": "T111",
                "channel_id": "C1",
                "user_id": user,
                "command": "/incident",
                "text": text,
                "response_url": fake_slack.respond_url(),
                "trigger_id": "1.2.3",
            }
        )

    message = payload(7, "rolled back")
    port = free_port()
    server = serve(database_url, fake_slack, port)
    try:
        assert post_signed(port, command("start sev1 Killed server", "U1"), "application/x-www-form-urlencoded") == 200
        assert post_signed(port, __import__("json").dumps(message), "application/json") == 200
        gate = Gate()
        fake_slack.responses["users.info"] = gate.hold(
            lambda params: {"ok": True, "user": {"id": params["user"], "tz": "America/New_York"}}
        )
        # U2's zone is not cached: the answer accepts the command at once and looks the zone up after it.
        assert (
            post_signed(port, command("mark detected at 09:00 alarm fired", "U2"), "application/x-www-form-urlencoded")
            == 200
        )
        assert gate.entered.wait(timeout=20), "the accepted command never asked Slack for the user's zone"
        kill(server)  # after the answer, before the marker was written
        gate.open.set()
    finally:
        if server.poll() is None:
            kill(server)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(PhaseMark)) == 0
    del fake_slack.responses["users.info"]

    # The clock finishes what the dead process accepted, once, however often it runs.
    later = Clock(datetime.now(UTC) + STUCK_AFTER + timedelta(minutes=1))
    deps = Deps(settings=settings_for(database_url, fake_slack), sessions=sessions, clock=later)
    for _ in range(2):
        run_due(deps, build_client("xoxb-test", fake_slack.url), later())
    with sessions() as session:
        [mark] = session.scalars(select(PhaseMark)).all()
    assert mark.at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == "09:00"
    assert mark.note == "alarm fired"
    told = [c for c in fake_slack.calls_to("response_url") if "Detected" in c.params.get("text", "")]
    assert len(told) == 1
    assert told[0].params["response_type"] == "in_channel"

    server = serve(database_url, fake_slack, port)
    try:
        assert post_signed(port, __import__("json").dumps(message), "application/json", retry_num=1) == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(PhaseMark)) == 1
        assert list(session.scalars(select(Message.text))) == ["rolled back"]


def jobs_run(database_url: str, fake: FakeSlack, at: datetime, *, errors: int | None = None) -> subprocess.Popen[Any]:
    """``scribe jobs run --now AT`` started, its stderr to ``errors`` (``subprocess.PIPE``, or nowhere)."""
    env = clean_env(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=fake.url)
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "jobs", "run", "--now", at.isoformat()],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if errors is None else errors,
        text=True,
        start_new_session=True,
    )


def hold_zone_lookups_of(fake: FakeSlack, user: str) -> Gate:
    """``users.info`` of ``user`` answers only once the test opens the gate; others at once."""
    gate = Gate()
    held = gate.hold(lambda params: {"ok": True, "user": {"id": params["user"], "tz": "America/New_York"}})
    fake.responses["users.info"] = lambda params: (
        held(params) if params.get("user") == user else {"ok": True, "user": {"id": params["user"], "tz": "UTC"}}
    )
    return gate


def test_deferred_work_whose_process_dies_on_every_attempt_is_given_up_and_the_person_told_once(
    database_url: str, sessions: sessionmaker[Session], fake_slack: FakeSlack
) -> None:
    from urllib.parse import urlencode

    def command(text: str, user: str) -> str:
        return urlencode(
            {
                "team_id": "T111",
                "channel_id": "C1",
                "user_id": user,
                "command": "/incident",
                "text": text,
                "response_url": fake_slack.respond_url(),
                "trigger_id": "1.2.3",
            }
        )

    def work_row() -> DeferredWork:
        with sessions() as session:
            return session.scalars(select(DeferredWork).where(DeferredWork.kind == "command")).one()

    port = free_port()
    server = serve(database_url, fake_slack, port)
    try:
        assert post_signed(port, command("start sev1 Crashing work", "U1"), "application/x-www-form-urlencoded") == 200
        gate = hold_zone_lookups_of(fake_slack, "U2")  # U2's zone is not cached: the mark waits for it
        typed = "mark detected at 09:00 alarm fired"
        assert post_signed(port, command(typed, "U2"), "application/x-www-form-urlencoded") == 200
        assert gate.entered.wait(timeout=20), "the accepted command never asked Slack for the user's zone"
        kill(server)  # the web process dies while it works on the command
        gate.open.set()
    finally:
        if server.poll() is None:
            kill(server)

    # Every clock that takes the work up after it is judged stuck dies in the middle of it too.
    at = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS + 1):
        if work_row().attempts >= MAX_ATTEMPTS and work_row().state == "running":
            break
        at += STUCK_AFTER + timedelta(minutes=1)
        gate = hold_zone_lookups_of(fake_slack, "U2")
        clock_process = jobs_run(database_url, fake_slack, at)
        try:
            assert gate.entered.wait(timeout=60), "the clock never took the work up again"
            kill(clock_process)
        finally:
            gate.open.set()
            if clock_process.poll() is None:
                kill(clock_process)
    assert (work_row().state, work_row().attempts) == ("running", MAX_ATTEMPTS)
    told_before = len(fake_slack.calls_to("response_url"))

    # Two clocks find it stuck after its last attempt, at the same time: it is given up, and said once.
    at += STUCK_AFTER + timedelta(minutes=1)
    clocks = [jobs_run(database_url, fake_slack, at, errors=subprocess.PIPE) for _ in range(2)]
    for clock_process in clocks:
        _, errors = clock_process.communicate(timeout=60)
        assert clock_process.returncode == 0, errors
    assert work_row().state == "failed"
    told = [str(c.params.get("text")) for c in fake_slack.calls_to("response_url")[told_before:]]
    said = (
        f":x: I gave up on `/incident {typed}` after {MAX_ATTEMPTS} tries: it failed on our side each time, "
        "so nothing of it was recorded. Type it again; if it fails again, tell whoever runs Incident Scribe."
    )
    assert told == [said]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(PhaseMark)) == 0
