"""Ingest benchmark: signed message events at N concurrent clients against the Procfile's web
server (gunicorn + bot.wsgi), and against a bare Bolt app that only acknowledges, with the same
server settings, in one run.

    .venv/bin/python -m bench.ingest                          # SQLite, 2 workers
    .venv/bin/python -m bench.ingest --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test --workers 2 4

A third server is a reference point: the bare app plus one database round trip (``SELECT 1``)
per event, what any app pays that stores an event before acknowledging it. The servers are
loaded in turn, round after round (3 by default), so that a change in the machine's speed
during the run weighs on all alike. Prints events/s for each, its ratio to the bare app
(Incident Scribe's target >= 0.8) overall and by round, p50/p99 acknowledgement latency, the CPU each event cost the web
workers, the database server (a local PostgreSQL) and the load generator, and checks that every
event was stored exactly once.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from bot.core.grammar import StartArgs
from bot.services.incidents import start_incident
from storage.migrate import upgrade_to_head
from storage.session import make_engine, make_session_factory
from tests.support.databases import temporary_postgres_database
from tests.support.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
CHANNEL = "CBENCH"
TEAM = "T111"


@dataclass
class Result:
    name: str
    events: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    cpu: tuple[float, ...] = (0.0, 0.0, 0.0)
    """CPU seconds spent during the load by the web workers, the database server, the load generator."""

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bodies(count: int, offset: int) -> list[tuple[bytes, dict[str, str]]]:
    now = int(time.time())
    prepared = []
    for i in range(count):
        ts = f"{1764428400 + offset + i}.{i % 1000000:06d}"
        payload = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A111",
            "type": "event_callback",
            "event_id": f"Ev{offset + i}",
            "event_time": now,
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
            "event": {
                "type": "message",
                "channel": CHANNEL,
                "user": "U1",
                "text": f"status update {i}: error rate falling",
                "ts": ts,
                "event_ts": ts,
                "channel_type": "channel",
            },
        }
        body = json.dumps(payload).encode()
        signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{now}:".encode() + body, hashlib.sha256).hexdigest()
        prepared.append(
            (
                body,
                {
                    "Content-Type": "application/json",
                    "X-Slack-Request-Timestamp": str(now),
                    "X-Slack-Signature": signature,
                },
            )
        )
    return prepared


def _load(port: int, prepared: list[tuple[bytes, dict[str, str]]], concurrency: int, name: str) -> Result:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    chunks = [prepared[i::concurrency] for i in range(concurrency)]

    def client(chunk: list[tuple[bytes, dict[str, str]]]) -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed = 0
        for body, headers in chunk:
            started = time.perf_counter()
            connection.request("POST", "/slack/events", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(name, len(prepared), time.perf_counter() - started, latencies, errors)


@contextmanager
def _server(module: str, env: dict[str, str], workers: int, log: Path | None = None) -> Iterator[tuple[int, int]]:
    """Start gunicorn like the Procfile does; yield its port and its master's pid.

    Its stderr goes to ``log`` (a temporary file by default), never to a pipe nobody reads: a
    server that logs more than a pipe holds would stall in the middle of the measurement."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--timeout",
        "30",
        "--log-level",
        "warning",
        module,
    ]
    with log.open("w+b") if log is not None else tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        stderr.seek(0)
                        raise RuntimeError(
                            f"{module} did not start: {stderr.read().decode(errors='replace')}"
                        ) from None
                    time.sleep(0.1)
            yield port, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def _prepare_database(url: str) -> None:
    upgrade_to_head(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        session.execute(text("DELETE FROM messages WHERE channel_id = :c"), {"c": CHANNEL})
        start_incident(
            session,
            team_id=TEAM,
            channel_id=CHANNEL,
            args=StartArgs("sev2", "Ingest benchmark"),
            user_id="U1",
            now=datetime.now(UTC),
        )
    engine.dispose()


def _stored(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with engine.connect() as connection:
        total = connection.execute(
            text("SELECT count(*) FROM messages WHERE channel_id = :c"), {"c": CHANNEL}
        ).scalar_one()
        distinct = connection.execute(
            text("SELECT count(DISTINCT ts) FROM messages WHERE channel_id = :c"), {"c": CHANNEL}
        ).scalar_one()
    engine.dispose()
    return int(total), int(distinct)


@contextmanager
def _database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    with temporary_postgres_database(url) as temporary:
        yield temporary


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc; 0 where it cannot be read)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _database_server_pids() -> list[int]:
    """Local PostgreSQL processes (server, backends, WAL writer…), when the server is on this machine."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _measured(
    port: int, prepared: list[tuple[bytes, dict[str, str]]], concurrency: int, name: str, master: int, database: bool
) -> Result:
    """One load, with the CPU each side spent on it: web workers, database server, load generator."""
    workers = _children(master)
    database_pids = _database_server_pids() if database else []
    before = (_cpu_seconds(workers), _cpu_seconds(database_pids), time.process_time())
    result = _load(port, prepared, concurrency, name)
    after = (_cpu_seconds(workers), _cpu_seconds(database_pids), time.process_time())
    result.cpu = tuple(b - a for a, b in zip(before, after, strict=True))
    return result


def _combined(name: str, rounds: list[Result]) -> Result:
    total = Result(
        name,
        sum(r.events for r in rounds),
        sum(r.seconds for r in rounds),
        [x for r in rounds for x in r.latencies_ms],
        sum(r.errors for r in rounds),
    )
    total.cpu = tuple(sum(parts) for parts in zip(*(r.cpu for r in rounds), strict=True))
    return total


APPS = (
    ("bench.bare_app:application", "bare Bolt ack-only"),
    ("bench.bare_db_app:application", "bare + 1 DB round trip"),
    ("bot.wsgi:application", "Incident Scribe"),
)
"""The servers, all with the Procfile's gunicorn settings: the baseline, the reference point of
an app that touches the database once per event (bench/bare_db_app.py), and the project."""


def run(
    database_url: str | None, workers: int, events: int, concurrency: int, warmup: int, rounds: int
) -> list[tuple[Result, list[float]]]:
    """All servers run side by side (each idle while another is loaded) and are loaded in turn,
    round after round, so that a change in the machine's speed during the run weighs on all
    alike. Returns each app's combined result and its ratio to the bare app, round by round."""
    fake = FakeSlack().start()
    per_round = events // rounds
    try:
        with _database(database_url) as url:
            _prepare_database(url)
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.url,
                "LOG_LEVEL": "WARNING",
            }
            with ExitStack() as stack:
                servers = [stack.enter_context(_server(module, env, workers)) for module, _ in APPS]
                for port, _pid in servers:
                    _load(port, _bodies(warmup, 10_000_000), concurrency, "warm-up")
                measured: list[list[Result]] = [[] for _ in APPS]
                for number in range(rounds):
                    for index, ((port, pid), (module, name)) in enumerate(zip(servers, APPS, strict=True)):
                        offset = (index + 2) * 10_000_000 if module != "bot.wsgi:application" else 0
                        uses_database = database_url is not None and module != "bench.bare_app:application"
                        measured[index].append(
                            _measured(
                                port,
                                _bodies(per_round, offset + number * per_round),
                                concurrency,
                                name,
                                pid,
                                uses_database,
                            )
                        )
            total, distinct = _stored(url)
            expected = per_round * rounds + warmup
            if total != expected or distinct != expected:
                raise SystemExit(
                    f"stored {total} rows ({distinct} distinct ts), expected {expected}: events were lost or duplicated"
                )
    finally:
        fake.stop()
    bare_rounds = measured[0]
    return [
        (_combined(name, rounds_of_app), [r.rate / b.rate for b, r in zip(bare_rounds, rounds_of_app, strict=True)])
        for (_, name), rounds_of_app in zip(APPS, measured, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--events", type=int, default=6000, help="events per app, over all rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=300)
    args = parser.parse_args()
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{'database':<10} {'workers':>7} {'app':<24} {'events/s':>9} "
        f"{'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}   CPU µs/event: "
        "web workers, database, load generator"
    )
    for workers in args.workers:
        results = run(args.database_url, workers, args.events, args.concurrency, args.warmup, args.rounds)
        bare = results[0][0]
        for result, _ in results:
            cpu = ", ".join(f"{part / result.events * 1e6:.0f}" for part in result.cpu)
            print(
                f"{database:<10} {workers:>7} {result.name:<24} {result.rate:>9.0f} {result.rate / bare.rate:>6.2f} "
                f"{result.percentile(50):>7.1f} {result.percentile(99):>7.1f} {result.errors:>6}   {cpu}"
            )
        scribe, ratios = results[-1]
        ratio = scribe.rate / bare.rate
        verdict = "meets" if ratio >= 0.8 else "BELOW"
        rounds = ", ".join(f"{r:.2f}" for r in ratios)
        print(
            f"{'':<10} {'':>7} Incident Scribe / bare: {ratio:.2f} ({verdict} the 0.8 "
            f"target; by round: {rounds}); every event stored exactly once"
        )


if __name__ == "__main__":
    main()
