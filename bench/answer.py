"""Answer-time benchmark: how long Slack waits for the answer to each kind of request, at
several speeds of Slack's own Web API.

    .venv/bin/python -m bench.answer [--count 30] [--latency 0 0.5 2] [--database-url postgresql+psycopg://…]

Slack gives an app 3 seconds to answer. Incident Scribe's target is p99 < 300 ms for every kind
of request at every Web API latency: the answer must not wait on Slack. The Procfile's web server
(gunicorn serving bot.wsgi, 2 workers) runs against the test fake Web API
(tests/support/fake_slack.py) in this process, every call delayed by the round's latency. Signed
requests go to it over HTTP, COUNT of each kind, CONCURRENCY at a time: every `/incident`
subcommand below (`mark` typed by people whose zone is not cached yet, a new one each time), a
Done click on an action item, the declare form's submission and a message event. Each round works
in new channels; a last round at 0 s answers the first users.info with 429 Retry-After 5.

Work done after the answer (backfills, drafts, DMs) is not measured and not waited for: each
round ends with a drain of at most DRAIN seconds, run at 0 s latency so that one round's
leftovers weigh little on the next. A kind still sending after BUDGET seconds stops early (the
table says how many were measured). Prints p50/p99 per kind and round, flags p99 >= 300 ms, and
exits 0: it is a measurement.
"""

from __future__ import annotations

import argparse
import http.client
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.ingest import SECRET, TEAM, Result, _database, _server
from bot.slack import action_blocks
from bot.slack.declaring import MODAL_CALLBACK, SEVERITY_ACTION, SEVERITY_BLOCK, TITLE_ACTION, TITLE_BLOCK
from storage.action_models import ActionItem
from storage.migrate import upgrade_to_head
from storage.session import make_engine
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import Response, SlackRequests

TARGET_MS = 300.0
STARTER = "U1"
"""Who starts each incident and types most commands (so may click Done on its items)."""
ZONES = ("Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Los_Angeles", "UTC")
REFUSALS = (":warning:", ":x:", "I don't know")


@dataclass(frozen=True)
class Round:
    latency: float
    first_users_info_429: bool = False

    @property
    def label(self) -> str:
        return f"{self.latency:g} s" + (", 429 first" if self.first_users_info_429 else "")


@dataclass
class Measured:
    result: Result
    refused: int = 0
    """Answered 200, but with a refusal: the request did not take the path meant to be measured."""


class OverHttp:
    """What SlackRequests takes for a WSGI app: it sends the signed request to the server over
    HTTP instead, and keeps how long the answer took."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.elapsed_ms = 0.0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = {"Content-Type": environ["CONTENT_TYPE"]}
        headers.update({key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")})
        body = environ["wsgi.input"].read()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        started = time.perf_counter()
        try:
            connection.request(environ["REQUEST_METHOD"], environ["PATH_INFO"], body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            self.elapsed_ms = (time.perf_counter() - started) * 1000
            connection.close()
        start_response(f"{response.status} {response.reason}", response.getheaders())
        return [data]


@dataclass
class Incidents:
    """The requests of one round, each in its own incident channel, numbered 0..count-1."""

    number: int
    fake: FakeSlack
    items: dict[str, int] = field(default_factory=dict)
    """Action item id by owner, once the `action` commands have made them."""
    posted: dict[int, str] = field(default_factory=dict)
    """The ts of the message event sent to each channel, for `star` to name."""

    def channel(self, i: int) -> str:
        return f"CANSWER{self.number}X{i:04d}"

    def owner(self, i: int) -> str:
        return f"UOWNER{self.number}X{i:04d}"

    def start(self, slack: SlackRequests, i: int) -> Response:
        return slack.command(f"start sev2 Answer bench {self.number}-{i}", channel=self.channel(i), user=STARTER)

    def message(self, slack: SlackRequests, i: int) -> Response:
        ts = f"{int(time.time()) - 60}.{i:06d}"
        self.posted[i] = ts
        return slack.message(self.channel(i), ts, "error rate back under 1%", user=STARTER)

    def star(self, slack: SlackRequests, i: int) -> Response:
        return slack.command(f"star {self.posted[i]}", channel=self.channel(i), user=STARTER)

    def mark(self, slack: SlackRequests, i: int) -> Response:
        user = f"UMARK{self.number}X{i:04d}"  # nobody the app has seen: its zone is not cached
        self.fake.add_user(user, tz=ZONES[i % len(ZONES)])
        return slack.command("mark detected at 14:05", channel=self.channel(i), user=user)

    def note(self, slack: SlackRequests, i: int) -> Response:
        return slack.command("note Rolled back to the previous release", channel=self.channel(i), user=STARTER)

    def action(self, slack: SlackRequests, i: int) -> Response:
        owner = self.owner(i)
        self.fake.add_user(owner, tz=ZONES[i % len(ZONES)])
        return slack.command(
            f"action <@{owner}> tomorrow Alert on the checkout error rate", channel=self.channel(i), user=STARTER
        )

    def status(self, slack: SlackRequests, i: int) -> Response:
        return slack.command("status", channel=self.channel(i), user=STARTER)

    def role(self, slack: SlackRequests, i: int) -> Response:
        return slack.command(f"role comms <@{self.owner(i)}>", channel=self.channel(i), user=STARTER)

    def update(self, slack: SlackRequests, i: int) -> Response:
        return slack.command("update Rolled back; error rate falling", channel=self.channel(i), user=STARTER)

    def catchup(self, slack: SlackRequests, i: int) -> Response:
        return slack.command("catchup", channel=self.channel(i), user=STARTER)

    def postmortem(self, slack: SlackRequests, i: int) -> Response:
        return slack.command("postmortem", channel=self.channel(i), user=STARTER)

    def declare(self, slack: SlackRequests, i: int) -> Response:
        return slack.command(f"declare sev2 Checkout errors {self.number}-{i}", channel=self.channel(i), user=STARTER)

    def declare_form(self, slack: SlackRequests, i: int) -> Response:
        values = {
            TITLE_BLOCK: {TITLE_ACTION: {"type": "plain_text_input", "value": f"Payments failing {self.number}-{i}"}},
            SEVERITY_BLOCK: {SEVERITY_ACTION: {"type": "static_select", "selected_option": {"value": "sev2"}}},
        }
        return slack.action(
            {
                "type": "view_submission",
                "team": {"id": TEAM},
                "user": {"id": STARTER, "team_id": TEAM},
                "api_app_id": "A111",
                "trigger_id": "1.2.3",
                "view": {
                    "id": f"V{i}",
                    "type": "modal",
                    "callback_id": MODAL_CALLBACK,
                    "private_metadata": self.channel(i),
                    "state": {"values": values},
                },
            }
        )

    def done(self, slack: SlackRequests, i: int) -> Response:
        item = self.items[self.owner(i)]
        return slack.action(
            {
                "type": "block_actions",
                "team": {"id": TEAM},
                "user": {"id": STARTER, "team_id": TEAM},
                "api_app_id": "A111",
                "trigger_id": "1.2.3",
                "response_url": self.fake.respond_url(f"done{i}"),
                "container": {"type": "message", "channel_id": f"D{STARTER}", "message_ts": f"1800000000.{i:06d}"},
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_blocks.DONE,
                        "block_id": f"item_{item}",
                        "value": str(item),
                        "action_ts": "1800000001.0",
                    }
                ],
            }
        )

    def resolve(self, slack: SlackRequests, i: int) -> Response:
        return slack.command("mark resolved", channel=self.channel(i), user=STARTER)


KINDS: tuple[tuple[str, str], ...] = (
    ("start", "start"),
    ("message event", "message"),
    ("star", "star"),
    ("mark at 14:05", "mark"),
    ("note", "note"),
    ("action", "action"),
    ("status", "status"),
    ("role", "role"),
    ("update", "update"),
    ("catchup", "catchup"),
    ("postmortem", "postmortem"),
    ("declare", "declare"),
    ("declare form", "declare_form"),
    ("Done button", "done"),
    ("mark resolved", "resolve"),
)
"""(name in the table, Incidents method), in the order they are sent: each needs the ones before."""


def _refused(response: Response) -> bool:
    body = response.json() if response.body.startswith("{") else {}
    return (
        any(str(body.get("text", "")).startswith(word) for word in REFUSALS) or body.get("response_action") == "errors"
    )


def measure(
    port: int,
    send: Callable[[SlackRequests, int], Response],
    indices: list[int],
    response_url: str,
    concurrency: int,
    budget: float,
) -> Measured:
    deadline = time.monotonic() + budget

    def one(i: int) -> tuple[float, int, bool] | None:
        if time.monotonic() > deadline:
            return None
        transport = OverHttp(port)
        try:
            response = send(SlackRequests(transport, secret=SECRET, team_id=TEAM, response_url=response_url), i)
        except (OSError, http.client.HTTPException):
            return transport.elapsed_ms, 0, False
        return transport.elapsed_ms, response.status, response.status == 200 and _refused(response)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        answers = [answer for answer in pool.map(one, indices) if answer is not None]
    result = Result(
        "",
        len(answers),
        time.perf_counter() - started,
        [ms for ms, _, _ in answers],
        sum(status != 200 for _, status, _ in answers),
    )
    return Measured(result, refused=sum(refused for _, _, refused in answers))


def drain(fake: FakeSlack, limit: float) -> float | None:
    """Let work left after the answers go on until the fake Web API has had no call for 1.5 s, at
    most ``limit`` s, at 0 s latency. Returns how long it took, None if it was still busy."""
    fake.latency = 0.0
    started = last_change = time.monotonic()
    seen = len(fake.calls)
    while time.monotonic() - started < limit:
        time.sleep(0.25)
        if len(fake.calls) != seen:
            seen, last_change = len(fake.calls), time.monotonic()
        elif time.monotonic() - last_change >= 1.5:
            return time.monotonic() - started
    return None


def _items(url: str, owners: list[str]) -> dict[str, tuple[int, str]]:
    """(id, status) of the action item of each of these owners."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(ActionItem.owner_id, ActionItem.id, ActionItem.status).where(ActionItem.owner_id.in_(owners))
            )
            return {str(owner): (item, status) for owner, item, status in rows}
    finally:
        engine.dispose()


def measure_round(
    port: int, url: str, fake: FakeSlack, number: int, round_: Round, args: argparse.Namespace
) -> dict[str, Measured]:
    incidents = Incidents(number, fake)
    fake.latency = round_.latency
    measured: dict[str, Measured] = {}
    for name, method in KINDS:
        indices = list(range(args.count))
        if method == "mark" and round_.first_users_info_429:
            fake.rate_limit("users.info", retry_after=5)  # nothing sent before `mark` asks users.info
        if method == "done":
            incidents.items = {
                owner: item for owner, (item, _) in _items(url, [incidents.owner(i) for i in indices]).items()
            }
            indices = [i for i in indices if incidents.owner(i) in incidents.items]
        measured[name] = measure(
            port, getattr(incidents, method), indices, fake.respond_url(), args.concurrency, args.budget
        )
        if method == "done":  # a click answers 200 whatever happened: the item must be closed
            closed = sum(status == "done" for _, status in _items(url, list(incidents.items)).values())
            measured[name].refused = measured[name].result.events - closed
    return measured


def run(args: argparse.Namespace) -> tuple[list[Round], dict[tuple[str, str], Measured], list[str]]:
    rounds = [Round(latency) for latency in args.latency] + [Round(0.0, first_users_info_429=True)]
    table: dict[tuple[str, str], Measured] = {}
    notes: list[str] = []
    fake = FakeSlack().start()
    fake.add_user(STARTER, tz="Europe/Paris", name="Ada")
    try:
        with _database(args.database_url) as url, tempfile.TemporaryDirectory() as folder:
            upgrade_to_head(url)
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.url,
                "SCRIBE_ANNOUNCE_CHANNEL": "CANNOUNCE",
                "LOG_LEVEL": "WARNING",
            }
            log = Path(args.server_log) if args.server_log else Path(folder) / "server.log"
            with _server("bot.wsgi:application", env, args.workers, log=log) as (port, _pid):
                warm = Incidents(99, fake)  # imports, connections, Bolt's auth.test: before any round
                measure(
                    port,
                    lambda slack, i: slack.command("help", channel=warm.channel(i)),
                    list(range(16)),
                    fake.respond_url(),
                    args.concurrency,
                    30,
                )
                for number, round_ in enumerate(rounds):
                    for name, measured in measure_round(port, url, fake, number, round_, args).items():
                        table[(name, round_.label)] = measured
                    took = drain(fake, args.drain)
                    settled = (
                        f"settled {took:.0f} s into the drain"
                        if took is not None
                        else f"still running after the {args.drain:g} s drain"
                    )
                    notes.append(f"{round_.label}: work after the answers {settled}")
            lines = log.read_text(errors="replace").splitlines()
            notes.append(
                f"server log: {sum(' WARNING ' in line for line in lines)} warnings, "
                f"{sum(' ERROR ' in line for line in lines)} errors"
            )
    finally:
        fake.stop()
    return rounds, table, notes


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.answer", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=30, help="requests of each kind per round (default 30)")
    parser.add_argument(
        "--latency",
        type=float,
        nargs="+",
        default=[0.0, 0.5, 2.0],
        help="Web API latencies in seconds (default 0 0.5 2)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL server, used in a temporary database (default: a temporary SQLite file)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight at once (default 4)")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds after which a kind stops sending (default 60)"
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=30.0,
        help="longest wait for work after the answers at the end of a round (default 30)",
    )
    parser.add_argument("--server-log", default=None, help="keep the web server's log in this file")
    args = parser.parse_args()
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"answer time in ms, p50 / p99, {database}, {args.workers} workers, {args.count} of each kind, "
        f"{args.concurrency} at a time; ! = p99 >= {TARGET_MS:.0f} ms"
    )
    print("columns: Web API latency; '429 first': the round's first users.info answers 429 Retry-After 5")
    rounds, table, notes = run(args)
    width = 22
    print(f"{'kind':<15}" + "".join(f" | {r.label:^{width}}" for r in rounds))
    over: list[str] = []
    for name, _ in KINDS:
        cells = []
        for round_ in rounds:
            measured = table.get((name, round_.label))
            if measured is None or not measured.result.latencies_ms:
                cells.append(f" | {'not measured':^{width}}")
                continue
            result = measured.result
            p50, p99 = result.percentile(50), result.percentile(99)
            flag = "!" if p99 >= TARGET_MS else " "
            measured_fewer = f" n={result.events}" if result.events < args.count else ""
            cells.append(f" | {f'{p50:>7.0f} {p99:>7.0f}{flag}{measured_fewer}':<{width}}")
            if p99 >= TARGET_MS:
                over.append(f"{name} at {round_.label}")
            if result.errors or measured.refused:
                notes.append(f"{name} at {round_.label}: {result.errors} answers not 200, {measured.refused} refused")
        print(f"{name:<15}" + "".join(cells))
    print(f"p99 >= {TARGET_MS:.0f} ms: " + ("; ".join(over) if over else "none"))
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
