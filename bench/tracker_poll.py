"""One clock pass polling N linked tickets of open items from a fake tracker: tracker requests,
wall-clock seconds and SQL statements, for Jira, Linear and GitHub.

    python -m bench.tracker_poll [--items 10000] [--changed 100] [--database-url URL]

The fake tracker (tests/support/fake_trackers.py) is a real HTTP server on this machine, so
the time includes real HTTP round trips (no added latency). ``--changed`` tickets were closed
in the tracker since the last look: the pass closes those items here. Jira is read with
``key in (…)`` searches of 100 keys, Linear with queries of 250 ids, GitHub issue by issue with
their ETags (a 304 does not count against GitHub's rate limit).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, func, insert, select

from bench.scheduler import _database
from bot.services.ticket_sync import poll_tickets
from bot.settings import Settings
from storage.action_models import ActionItem
from storage.migrate import upgrade_to_head
from storage.models import Incident
from storage.session import make_engine, make_session_factory
from storage.ticket_models import ActionItemTicket
from tests.support.fake_trackers import FakeTrackers

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CHANGED_AT = "2026-12-02T11:00:00.000+0000"


@dataclass(frozen=True)
class Measured:
    tracker: str
    items: int
    requests: int
    seconds: float
    statements: int
    closed_here: int


def seed(engine: Engine, fake: FakeTrackers, tracker: str, items: int, changed: int) -> None:
    incidents = max(1, items // 100)
    with engine.begin() as connection:
        connection.execute(
            insert(Incident),
            [
                {
                    "team_id": "T1",
                    "channel_id": f"C{n}",
                    "title": f"Incident {n}",
                    "status": "resolved",
                    "started_by": "U1",
                    "started_at": NOW - timedelta(days=30),
                }
                for n in range(incidents)
            ],
        )
        connection.execute(
            insert(ActionItem),
            [
                {
                    "team_id": "T1",
                    "incident_id": 1 + n % incidents,
                    "owner_id": "U1",
                    "due": date(2026, 12, 20),
                    "text": f"action item {n}",
                    "status": "open",
                    "rollovers": 0,
                    "created_by": "U1",
                    "created_at": NOW - timedelta(days=20),
                }
                for n in range(items)
            ],
        )
        rows = []
        for n in range(items):
            key, remote_id, etag = _remote(fake, tracker, n, closed=n < changed)
            rows.append(
                {
                    "team_id": "T1",
                    "item_id": n + 1,
                    "tracker": tracker,
                    "key": key,
                    "url": f"https://tracker.example/{key}",
                    "remote_id": remote_id,
                    "state": "open",
                    "etag": etag,
                    "created_at": NOW - timedelta(days=20),
                    "updated_at": NOW - timedelta(days=20),
                }
            )
        connection.execute(insert(ActionItemTicket), rows)


def _remote(fake: FakeTrackers, tracker: str, n: int, *, closed: bool) -> tuple[str, str | None, str | None]:
    if tracker == "jira":
        key = f"OPS-{n + 1}"
        category, name = ("done", "Done") if closed else ("new", "To Do")
        fake.jira[key] = {
            "id": str(10000 + n),
            "key": key,
            "fields": {
                "status": {"name": name, "statusCategory": {"key": category}},
                "resolution": {"name": "Done"} if closed else None,
                "updated": CHANGED_AT,
            },
        }
        return key, str(10000 + n), None
    if tracker == "linear":
        uuid = f"00000000-0000-4000-8000-{n:012d}"
        fake.linear[uuid] = {
            "id": uuid,
            "identifier": f"ENG-{n + 1}",
            "url": f"https://linear.app/acme/issue/ENG-{n + 1}",
            "dueDate": None,
            "updatedAt": "2026-12-02T11:00:00.000Z",
            "state": {"name": "Done", "type": "completed"} if closed else {"name": "Todo", "type": "unstarted"},
            "assignee": None,
        }
        return f"ENG-{n + 1}", uuid, None
    number = str(n + 1)
    fake.github[number] = {
        "number": n + 1,
        "node_id": f"I_{number}",
        "html_url": f"https://github.com/acme/api/issues/{number}",
        "state": "closed" if closed else "open",
        "state_reason": "completed" if closed else None,
        "body": "",
        "updated_at": "2026-12-02T11:00:00Z",
        "etag": f'"{number}-1"' if closed else f'"{number}-0"',
    }
    return number, f"I_{number}", f'"{number}-0"'


def measure(url: str, tracker: str, items: int, changed: int) -> Measured:
    fake = FakeTrackers().start()
    try:
        upgrade_to_head(url)
        engine = make_engine(url)
        seed(engine, fake, tracker, items, changed)
        sessions = make_session_factory(engine)
        settings = replace(
            Settings(database_url=url),
            jira_url=fake.jira_url,
            jira_email="bench@example.com",
            jira_api_token="token",
            jira_project="OPS",
            github_token="token",
            github_repo=fake.repo,
            github_api_url=fake.github_api_url,
            linear_api_key="key",
            linear_team_id="team",
            linear_api_url=fake.linear_url,
        )
        statements = 0

        def count(*_args: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        poll_tickets(sessions, settings=settings, now=NOW, render=lambda line: {"text": f"#{line.item_id}"})
        seconds = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", count)
        with sessions() as session:
            closed = session.scalar(select(func.count()).select_from(ActionItem).where(ActionItem.status != "open"))
        engine.dispose()
        return Measured(tracker, items, len(fake.calls), seconds, statements, int(closed or 0))
    finally:
        fake.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tracker_poll", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, nargs="+", default=[10000])
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--trackers", nargs="+", default=["jira", "linear", "github"])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (default: a new SQLite file)")
    args = parser.parse_args(argv)
    print(f"{'tracker':>8} {'items':>7} {'requests':>8} {'seconds':>8} {'statements':>10} {'closed':>7}")
    for tracker in args.trackers:
        for items in args.items:
            with _database(args.database_url) as url:
                m = measure(url, tracker, items, args.changed)
            print(
                f"{m.tracker:>8} {m.items:>7} {m.requests:>8} {m.seconds:>8.3f} {m.statements:>10} {m.closed_here:>7}"
            )


if __name__ == "__main__":
    main()
