"""Soak: thirty minutes' worth of a busy incident, replayed as fast as the server takes it.

    .venv/bin/python -m bench.soak [--database-url postgresql+psycopg://…] [--minutes 30] [--rate 5]

A busy incident channel: RATE messages a second for MINUTES minutes, a fifth of them thread
replies, one in ten later edited (sometimes twice, the edits arriving in any order), one in
fifty deleted, and a fifth of all deliveries repeated as Slack's retries. They are sent by 8
concurrent clients to the Procfile's web server (gunicorn, 2 workers) in four rounds. After each
round it prints the resident memory of the worker processes; at the end it checks that every
message is stored once, in its latest state.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from bench.ingest import CHANNEL, SECRET, TEAM, _database, _load, _prepare_database, _server
from storage.session import make_engine
from tests.support.fake_slack import FakeSlack

BASE_TS = 1764428400


@dataclass
class Incident:
    deliveries: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    expected: dict[str, str | None] = field(default_factory=dict)
    """ts → the text the record must end with (None: deleted)."""


def _signed(payload: dict, *, retry: bool) -> tuple[bytes, dict[str, str]]:
    now = int(time.time())
    body = json.dumps(payload).encode()
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{now}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": signature,
    }
    if retry:
        headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    return body, headers


def _envelope(event: dict, n: int) -> dict:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A111",
        "type": "event_callback",
        "event_id": f"EvSoak{n}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
        "event": event,
    }


def busy_incident(minutes: int, rate: int, seed: int = 7) -> Incident:
    chooser = random.Random(seed)
    incident = Incident()
    events: list[dict] = []
    parents: list[str] = []
    count = minutes * 60 * rate
    for i in range(count):
        ts = f"{BASE_TS + i // rate}.{(i % rate) * 1000 + 1:06d}"
        message = {
            "type": "message",
            "channel": CHANNEL,
            "user": f"U{i % 7}",
            "text": f"update {i}",
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
        }
        if parents and chooser.random() < 0.2:
            message["thread_ts"] = chooser.choice(parents[-20:])
        else:
            parents.append(ts)
        events.append(message)
        incident.expected[ts] = message["text"]
        roll = chooser.random()
        if roll < 0.1:
            for version in range(1, chooser.choice((2, 3))):
                edited = f"{BASE_TS + i // rate + 30 * version}.000000"
                new_text = f"update {i} (edit {version})"
                events.append(
                    {
                        "type": "message",
                        "subtype": "message_changed",
                        "hidden": True,
                        "channel": CHANNEL,
                        "ts": edited,
                        "event_ts": edited,
                        "message": {
                            "type": "message",
                            "user": message["user"],
                            "text": new_text,
                            "ts": ts,
                            "edited": {"user": message["user"], "ts": edited},
                        },
                    }
                )
                incident.expected[ts] = new_text
        elif roll < 0.12:
            deleted = f"{BASE_TS + i // rate + 60}.000000"
            events.append(
                {
                    "type": "message",
                    "subtype": "message_deleted",
                    "hidden": True,
                    "channel": CHANNEL,
                    "ts": deleted,
                    "event_ts": deleted,
                    "deleted_ts": ts,
                }
            )
            incident.expected[ts] = None
    # Deliveries interleave across clients; shuffle within short windows as Slack reorders.
    for start in range(0, len(events), 16):
        window = events[start : start + 16]
        chooser.shuffle(window)
        events[start : start + 16] = window
    for n, event in enumerate(events):
        payload = _envelope(event, n)
        incident.deliveries.append(_signed(payload, retry=False))
        if chooser.random() < 0.2:
            incident.deliveries.append(_signed(payload, retry=True))
    return incident


def worker_rss_mb(master_pid: int) -> dict[int, float]:
    rss = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            rss[int(status.parent.name)] = int(fields["VmRSS"].split()[0]) / 1024
    return rss


def verify(url: str, expected: dict[str, str | None]) -> str:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT ts, text, deleted_at FROM messages WHERE channel_id = :c"), {"c": CHANNEL}
        ).all()
    engine.dispose()
    stored = {ts: (None if deleted is not None else body) for ts, body, deleted in rows}
    if len(rows) != len(stored):
        return f"FAILED: {len(rows) - len(stored)} duplicate rows"
    wrong = [ts for ts, want in expected.items() if stored.get(ts, "<missing>") != want]
    if wrong or len(stored) != len(expected):
        return f"FAILED: {len(wrong)} messages not in their latest state, {len(stored) - len(expected)} unexpected rows"
    return f"OK: {len(stored)} messages stored once each, every edit and deletion applied"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (default: a temporary SQLite file)")
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--rate", type=int, default=5, help="messages a second in the channel")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    incident = busy_incident(args.minutes, args.rate)
    print(
        f"{len(incident.expected)} messages, {len(incident.deliveries)} "
        "deliveries (edits, deletions and retries included)"
    )
    fake = FakeSlack().start()
    try:
        with _database(args.database_url) as url:
            _prepare_database(url)
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.url,
                "LOG_LEVEL": "WARNING",
            }
            with _server("bot.wsgi:application", env, 2) as (port, master):
                size = -(-len(incident.deliveries) // args.rounds)
                print(f"{'round':>5} {'deliveries':>10} {'events/s':>9} {'p99 ms':>7} {'errors':>6}  worker RSS MB")
                for number in range(args.rounds):
                    chunk = incident.deliveries[number * size : (number + 1) * size]
                    result = _load(port, chunk, 8, f"round {number + 1}")
                    rss = " ".join(f"{mb:.1f}" for _, mb in sorted(worker_rss_mb(master).items()))
                    print(
                        f"{number + 1:>5} {len(chunk):>10} {result.rate:>9.0f} "
                        f"{result.percentile(99):>7.1f} {result.errors:>6}  {rss}"
                    )
            print(verify(url, incident.expected))
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
