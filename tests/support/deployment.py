"""A configuration of the README's table, deployed: its processes started from the Procfile
with exactly the variables the table names, against a fake Slack, and driven from outside.

Each process starts from an empty environment (a PATH that finds the project's scripts, a home,
a locale) plus the configuration's variables, so whatever a library reads from the environment
by itself is what a real deployment would give it. Every process writes to a log file of its
own; ``output()`` gathers them for a failing test's report.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine, text

from bot.slack.listeners.commands import DEFERRED
from storage.session import make_engine
from tests.e2e.test_cli import free_port
from tests.support.configurations import (
    PUBLIC_URL,
    ROOT,
    SOCKET_COMMANDS,
    WEBHOOK_SECRETS,
    WEBHOOK_SETTINGS,
    Configuration,
    procfile,
    setting_values,
)
from tests.support.databases import server_url, temporary_postgres_database
from tests.support.fake_slack import Call, FakeSlack
from tests.support.fake_socket_mode import FakeSocketMode
from tests.support.served import Browser, OverHttp
from tests.support.slack_requests import SlackRequests, event_callback
from tests.support.waiting import wait_for

TEAM_ID = "T111"
INSTALLED_TOKEN = "xoxb-installed-T111"
"""The bot token the fake Slack hands over when the workspace installs the app (OAuth)."""


def empty_environment(home: Path) -> dict[str, str]:
    """What a fresh host gives a process before any setting of ours."""
    scripts = str(Path(sys.executable).parent)  # the virtual environment's gunicorn and scribe
    return {
        "PATH": os.pathsep.join((scripts, os.environ.get("PATH", os.defpath))),
        "HOME": str(home),
        "LANG": "C.UTF-8",
    }


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    _log_file: IO[bytes]

    def finish(self, *, timeout: float = 120) -> str:
        """Wait for it to exit: its output, or a failure that shows it."""
        try:
            code = self.popen.wait(timeout=timeout)
        finally:
            self.stop()
        output = self.log.read_text(errors="replace")
        assert code == 0, f"`{self.name}` exited with {code}:\n{output}"
        return output

    def stop(self) -> None:
        """SIGTERM, as a platform stops a process (gunicorn then stops its workers), SIGKILL if
        it lingers. The processes stay in the test's process group, so whatever stops the tests
        stops them too."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self._log_file.close()


@dataclass
class Deployment:
    configuration: Configuration
    env: dict[str, str]
    fake: FakeSlack
    engine: Engine
    logs: Path
    web_url: str
    socket: FakeSocketMode | None = None
    processes: list[Process] = field(default_factory=list)
    webhook_paths: dict[str, str] = field(default_factory=dict)
    """Where each configured sender delivers: source → path."""
    _envelopes: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # -- processes ---------------------------------------------------------------------
    def start(self, name: str, command: str) -> Process:
        log = self.logs / f"{len(self.processes) + 1:02d}-{re.sub(r'[^a-z0-9]+', '-', name)}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(
            ["sh", "-c", f"exec {command}"],  # as a Procfile line is run
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        process = Process(name, popen, log, handle)
        self.processes.append(process)
        return process

    def run(self, name: str, command: str) -> str:
        """Run a command to its end: its output, or a failure that shows it."""
        return self.start(name, command).finish()

    @contextmanager
    def running(self, name: str, command: str) -> Iterator[Process]:
        process = self.start(name, command)
        try:
            yield process
        finally:
            process.stop()

    def launch(self) -> None:
        lines = procfile()
        for name in self.configuration.processes:
            command = lines.get(name, name)
            if name == "release":
                self.run(name, command)
            elif name == "web":
                self.wait_until_healthy(self.start(name, command))
            elif name in SOCKET_COMMANDS:
                assert self.socket is not None
                started = self.start(name, command)
                if not self.socket.connected.wait(60):
                    raise AssertionError(f"{name} never opened the socket:\n{self.output()}")
                assert started.popen.poll() is None, self.output()
            elif name != "clock":
                raise AssertionError(f"the README names a process the tests do not know: {name!r}")
        if self.configuration.installs:
            self.install()
        adding = {}
        for variable, source in WEBHOOK_SETTINGS.items():
            if variable in self.env:
                self.webhook_paths[source] = f"/webhooks/{source}"
            elif self.configuration.webhooks_by_command:
                adding[source] = self.start(
                    f"webhooks add {source}",
                    f"scribe webhooks add {source} --team {TEAM_ID} --secret {WEBHOOK_SECRETS[source]} "
                    f"--base-url {PUBLIC_URL}",
                )
        for source, process in adding.items():
            added = process.finish()
            url = re.search(r"^URL: (\S+)$", added, re.MULTILINE)
            assert url, added
            self.webhook_paths[source] = url.group(1).removeprefix(PUBLIC_URL)

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def errors(self) -> list[str]:
        """The lines any process logged at ERROR or above, and tracebacks."""
        return [
            line
            for process in self.processes
            for line in process.log.read_text(errors="replace").splitlines()
            if re.search(r" (ERROR|CRITICAL) |\[(ERROR|CRITICAL)\]|^Traceback", line)
        ]

    def output(self, *, lines: int = 60) -> str:
        """The last ``lines`` lines of each process's log, and where the whole log is."""
        shown = []
        for process in self.processes:
            logged = process.log.read_text(errors="replace").splitlines()
            cut = f" (last {lines} of {len(logged)} lines)" if len(logged) > lines else ""
            shown.append(f"--- {process.name}: {process.log}{cut}\n" + "\n".join(logged[-lines:]))
        return "\n".join(shown)

    def wait_until_healthy(self, process: Process, *, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.web_url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                pass
            if process.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{process.name} did not answer /healthz:\n{self.output()}")
            time.sleep(0.1)

    # -- Slack, as Slack sends it --------------------------------------------------------
    @property
    def slack(self) -> SlackRequests:
        return SlackRequests(OverHttp(self.web_url), team_id=TEAM_ID, response_url=self.fake.respond_url())

    def command(self, text: str, *, channel: str, user: str = "U1") -> str:
        """``/incident TEXT``: the text of the app's answer, or of the answer that follows through
        ``response_url`` when the first one says it waits for Slack (the typist's zone)."""
        seen = len(self.fake.calls_to("response_url"))
        answer = (
            self._http_command(text, channel, user)
            if self.socket is None
            else self._socket_command(text, channel, user)
        )
        if answer != DEFERRED:
            return answer
        later = wait_for(
            lambda: self.fake.calls_to("response_url")[seen:], timeout=30, what=f"the answer to /incident {text}"
        )
        return str(later[-1].params.get("text", ""))

    def _http_command(self, text: str, channel: str, user: str) -> str:
        response = self.slack.command(text, channel=channel, user=user)
        assert response.status == 200, f"/incident {text} answered {response.status}: {response.body}"
        return str((response.json() or {}).get("text", ""))

    def _socket_command(self, text: str, channel: str, user: str) -> str:
        assert self.socket is not None
        envelope = f"cmd-{next(self._envelopes)}"
        self.socket.send(
            {
                "envelope_id": envelope,
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": {
                    "token": "legacy",
                    "team_id": TEAM_ID,
                    "team_domain": "acme",
                    "channel_id": channel,
                    "channel_name": "incident",
                    "user_id": user,
                    "user_name": user.lower(),
                    "command": "/incident",
                    "text": text,
                    "api_app_id": "A111",
                    "response_url": self.fake.respond_url(),
                    "trigger_id": "13345224609.738474920.8088930838d88f008e0",
                },
            }
        )
        return str((self.socket.ack(envelope, timeout=20).get("payload") or {}).get("text", ""))

    def message(self, channel: str, ts: str, text: str, *, user: str = "U2") -> None:
        """A message posted in ``channel``, delivered as an event; returns once it is acknowledged."""
        event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts}
        if self.socket is None:
            response = self.slack.event(event_callback({**event, "channel_type": "channel"}, team_id=TEAM_ID))
            assert response.status == 200, f"the message event answered {response.status}: {response.body}"
            return
        envelope = f"ev-{next(self._envelopes)}"
        self.socket.send(
            {
                "envelope_id": envelope,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "retry_reason": "",
                "payload": event_callback(event, team_id=TEAM_ID),
            }
        )
        self.socket.ack(envelope, timeout=20)

    # -- the installation (many workspaces) ----------------------------------------------
    def install(self) -> None:
        """A workspace admin opens ``/slack/install``, agrees on Slack's page, and comes back to
        ``/slack/oauth_redirect`` with a code that the app trades for the bot token."""
        admin = Browser(self.web_url)
        page = admin.get("/slack/install")
        assert page.status == 200, f"/slack/install answered {page.status}:\n{page.text}\n{self.output()}"
        link = re.search(r'href="(https://[^"]+/oauth/v2/authorize\?[^"]+)"', page.text)
        assert link, f"the install page has no link to Slack's authorize page:\n{page.text}"
        state = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)["state"][0]
        self.fake.responses["oauth.v2.access"] = {
            "ok": True,
            "app_id": "A111",
            "authed_user": {"id": "U1"},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "access_token": INSTALLED_TOKEN,
            "bot_user_id": self.fake.bot_user_id,
            "team": {"id": TEAM_ID, "name": "Acme"},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        back = admin.get(f"/slack/oauth_redirect?code=granted-code&state={state}")
        assert back.status == 200, f"the OAuth redirect answered {back.status}:\n{back.text}\n{self.output()}"
        assert [call.params.get("code") for call in self.fake.calls_to("oauth.v2.access")] == ["granted-code"]

    @property
    def bot_token(self) -> str:
        """The token every Web API call for the workspace should carry."""
        return self.env.get("SLACK_BOT_TOKEN") or INSTALLED_TOKEN

    # -- the database ----------------------------------------------------------------------
    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]

    def posts(self, channel: str) -> list[Call]:
        return [call for call in self.fake.calls_to("chat.postMessage") if call.params.get("channel") == channel]

    def wait_for_post(self, channel: str, *, timeout: float = 30) -> Call:
        return wait_for(lambda: self.posts(channel), timeout=timeout, what=f"a post in {channel}")[0]


@contextmanager
def database(directory: Path) -> Iterator[str]:
    """A new empty database: a SQLite file, or a PostgreSQL database when TEST_DATABASE_URL is set."""
    base = server_url()
    if base:
        with temporary_postgres_database(base) as url:
            yield url
    else:
        yield f"sqlite:///{directory / 'scribe.db'}"


@contextmanager
def deployed(configuration: Configuration, directory: Path) -> Iterator[Deployment]:
    """Start the configuration's processes (all but the clock, which a test starts when it has
    prepared what the clock should find), install the app where each workspace installs it, and
    stop everything afterwards, whatever happened."""
    fake = FakeSlack().start()
    socket = FakeSocketMode().start() if configuration.socket else None
    try:
        fake.add_user("U1", tz="UTC", name="Ada")
        fake.add_user("U2", tz="UTC", name="Grace")
        if socket is not None:
            fake.responses["apps.connections.open"] = {"ok": True, "url": socket.url}
        values = setting_values(fake)
        unknown = [name for name in configuration.variables if name not in values]
        assert not unknown, f"the README's configuration {configuration.name!r} sets {unknown}: give them test values"
        with database(directory) as database_url:
            port = free_port()
            (directory / "home").mkdir(exist_ok=True)
            env = {
                **empty_environment(directory / "home"),
                **{name: values[name] for name in configuration.variables},
                "DATABASE_URL": database_url,
                "PORT": str(port),
                "SLACK_API_URL": fake.url,
            }
            engine = make_engine(database_url)
            deployment = Deployment(
                configuration, env, fake, engine, directory, f"http://127.0.0.1:{port}", socket=socket
            )
            try:
                deployment.launch()
                yield deployment
            finally:
                deployment.stop_all()
                engine.dispose()
    finally:
        if socket is not None:
            socket.stop()
        fake.stop()
