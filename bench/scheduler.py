"""One scheduler pass over N open action items: wall-clock seconds and SQL statements.

    python -m bench.scheduler [--items 1000 10000] [--database-url URL]

Each size runs in a new database: a temporary SQLite file, or a temporary database on the
PostgreSQL server of ``--database-url`` (created and dropped). The pass is the nudge job's database
work: load open items with their owners' zones, load the nudge keys already claimed, work out
what is due (pure core), claim, and queue the DMs in the outbox. Delivery to Slack is not
timed: it is paced by Slack's rate limits, not by us. Statements are counted with a
``before_cursor_execute`` listener; a second pass at the same instant (a rerun) queues nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator, Sized
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert

from bot.core.nudges import NudgePolicy
from bot.services.followup import queue_due_nudges
from bot.slack import action_blocks as blocks
from storage.action_models import ActionItem
from storage.migrate import upgrade_to_head
from storage.models import Incident, SlackUser
from storage.session import make_engine, make_session_factory
from tests.support.databases import temporary_postgres_database

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday
ZONES = ("UTC", "Europe/Paris", "Europe/London", "Asia/Kolkata", "Europe/Berlin", "Africa/Lagos")
"""Zones inside working hours at NOW, so the first pass has plenty to send."""


@dataclass(frozen=True)
class Measured:
    items: int
    seconds: float
    statements: int
    queued: int


def seed(engine: Engine, items: int) -> None:
    owners = max(1, items // 20)
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
                for n in range(max(1, items // 100))
            ],
        )
        connection.execute(
            insert(SlackUser),
            [
                {
                    "team_id": "T1",
                    "user_id": f"U{n}",
                    "name": f"user {n}",
                    "tz": ZONES[n % len(ZONES)],
                    "fetched_at": NOW,
                }
                for n in range(owners)
            ],
        )
        incidents = max(1, items // 100)
        connection.execute(
            insert(ActionItem),
            [
                {
                    "team_id": "T1",
                    "incident_id": 1 + n % incidents,
                    "owner_id": f"U{n % owners}",
                    "due": date(2026, 12, 2) + timedelta(days=n % 21 - 10),
                    "text": f"action item {n}",
                    "status": "open",
                    "rollovers": n % 3,
                    "created_by": "U1",
                    "created_at": NOW - timedelta(days=20),
                }
                for n in range(items)
            ],
        )


def measure(url: str, items: int) -> tuple[Measured, Measured]:
    upgrade_to_head(url)
    engine = make_engine(url)
    seed(engine, items)
    sessions = make_session_factory(engine)
    passes = first_and_rerun(
        engine,
        items,
        lambda: queue_due_nudges(
            sessions, now=NOW, policy=NudgePolicy(), render_dm=blocks.nudge_dm, render_escalation=blocks.escalation_post
        ),
    )
    engine.dispose()
    return passes


def first_and_rerun(engine: Engine, items: int, run: Callable[[], Sized]) -> tuple[Measured, Measured]:
    """``run`` twice on ``engine``, each pass timed with its SQL statements counted: the first
    pass, and the rerun that finds everything already queued."""
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    passes = []
    for _ in range(2):
        statements = 0
        started = time.perf_counter()
        queued = run()
        passes.append(Measured(items, time.perf_counter() - started, statements, len(queued)))
    event.remove(engine, "before_cursor_execute", count)
    return passes[0], passes[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scheduler", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server to bench on, in a temporary database (default: a new SQLite file)",
    )
    args = parser.parse_args(argv)
    print(f"{'items':>7} {'pass':>6} {'seconds':>8} {'statements':>10} {'queued':>7}")
    for items in args.items:
        with _database(args.database_url) as url:
            first, rerun = measure(url, items)
        for name, result in (("first", first), ("rerun", rerun)):
            print(f"{result.items:>7} {name:>6} {result.seconds:>8.3f} {result.statements:>10} {result.queued:>7}")


@contextmanager
def _database(server: str | None) -> Iterator[str]:
    if server:
        with temporary_postgres_database(server) as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


if __name__ == "__main__":
    main()
