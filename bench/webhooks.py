"""Webhook benchmark: signed PagerDuty V3 deliveries per second against the Procfile's web server
(gunicorn + bot.wsgi), next to Slack message events per second on the same server, in one run.

    .venv/bin/python -m bench.webhooks                          # SQLite, 2 workers
    .venv/bin/python -m bench.webhooks --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The two loads take turns, round after round (3 by default), so a change in the machine's speed
weighs on both alike. One delivery in ten is sent twice (as PagerDuty does when an answer is
late); the run fails unless every distinct delivery was stored exactly once and every message
event too. Prints requests/s, p50/p99 answer latency and errors for each load.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.ingest import CHANNEL, SECRET, Result, _bodies, _database, _prepare_database, _server, _stored
from storage.session import make_engine
from tests.support.fake_slack import FakeSlack

PD_SECRET = "bench-pagerduty-signing-secret"
Prepared = list[tuple[str, bytes, dict[str, str]]]


def _deliveries(count: int, offset: int) -> Prepared:
    """``count`` distinct signed ``incident.*`` deliveries, plus one in ten sent again."""
    start = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    prepared: Prepared = []
    for i in range(count):
        n = offset + i
        payload = {
            "event": {
                "id": f"01BENCH{n:019d}",
                "event_type": ("incident.triggered", "incident.acknowledged", "incident.resolved")[n % 3],
                "resource_type": "incident",
                "occurred_at": (start + timedelta(milliseconds=n)).isoformat().replace("+00:00", "Z"),
                "agent": None,
                "client": None,
                "data": {
                    "id": f"QBENCH{n // 3:08d}",
                    "type": "incident",
                    "html_url": f"https://acme.pagerduty.com/incidents/QBENCH{n // 3:08d}",
                    "number": n // 3,
                    "status": "triggered",
                    "title": f"Checkout latency above 2s ({n // 3})",
                    "service": {"id": "PA2P440", "summary": "checkout-api", "type": "service_reference"},
                    "urgency": "high",
                    "priority": {"summary": "P1", "type": "priority_reference"},
                },
            }
        }
        body = json.dumps(payload).encode()
        signature = "v1=" + hmac.new(PD_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-PagerDuty-Signature": signature, "X-Webhook-Id": f"wh{n}"}
        prepared.append(("/webhooks/pagerduty", body, headers))
        if i % 10 == 9:
            prepared.append(("/webhooks/pagerduty", body, headers))
    return prepared


def _messages(count: int, offset: int) -> Prepared:
    return [("/slack/events", body, headers) for body, headers in _bodies(count, offset)]


def _load(port: int, prepared: Prepared, concurrency: int, name: str) -> Result:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(chunk: Prepared) -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed = 0
        for path, body, headers in chunk:
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            failed += response.status != 200
        connection.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client, args=(prepared[i::concurrency],)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(name, len(prepared), time.perf_counter() - started, latencies, errors)


def _alerts_stored(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with engine.connect() as connection:
        total = connection.execute(text("SELECT count(*) FROM alert_events")).scalar_one()
        distinct = connection.execute(text("SELECT count(DISTINCT external_id) FROM alert_events")).scalar_one()
    engine.dispose()
    return int(total), int(distinct)


def _combined(name: str, rounds: list[Result]) -> Result:
    return Result(
        name,
        sum(r.events for r in rounds),
        sum(r.seconds for r in rounds),
        [x for r in rounds for x in r.latencies_ms],
        sum(r.errors for r in rounds),
    )


def run(
    database_url: str | None, workers: int, events: int, concurrency: int, warmup: int, rounds: int
) -> list[Result]:
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
                "PAGERDUTY_WEBHOOK_SECRET": PD_SECRET,
                "LOG_LEVEL": "WARNING",
            }
            with _server("bot.wsgi:application", env, workers) as (port, _pid):
                _load(port, _messages(warmup, 10_000_000), concurrency, "warm-up")
                _load(port, _deliveries(warmup, 10_000_000), concurrency, "warm-up")
                deliveries: list[Result] = []
                messages: list[Result] = []
                for number in range(rounds):
                    offset = number * per_round
                    deliveries.append(_load(port, _deliveries(per_round, offset), concurrency, "PagerDuty deliveries"))
                    messages.append(_load(port, _messages(per_round, offset), concurrency, "Slack message events"))
            total, distinct = _alerts_stored(url)
            expected = per_round * rounds + warmup
            if total != expected or distinct != expected:
                raise SystemExit(f"stored {total} alert events ({distinct} distinct), expected {expected}")
            stored_messages, distinct_ts = _stored(url)
            if stored_messages != expected or distinct_ts != expected:
                raise SystemExit(f"stored {stored_messages} messages in {CHANNEL}, expected {expected}")
    finally:
        fake.stop()
    return [_combined("PagerDuty deliveries", deliveries), _combined("Slack message events", messages)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--events", type=int, default=3000, help="distinct deliveries, and message events, in all")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()
    database = "PostgreSQL" if args.database_url else "SQLite"
    results = run(args.database_url, args.workers, args.events, args.concurrency, args.warmup, args.rounds)
    print(f"{'database':<10} {'workers':>7} {'load':<22} {'requests/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for result in results:
        print(
            f"{database:<10} {args.workers:>7} {result.name:<22} {result.rate:>10.0f} "
            f"{result.percentile(50):>7.1f} {result.percentile(99):>7.1f} {result.errors:>6}"
        )
    deliveries, messages = results
    print(
        f"deliveries / message events: {deliveries.rate / messages.rate:.2f}; every distinct delivery "
        f"stored exactly once ({args.events // args.rounds * args.rounds + args.warmup}, one in ten sent twice), "
        "every message event once"
    )


if __name__ == "__main__":
    main()
