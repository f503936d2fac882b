"""The insights figures of one workspace with N incidents: wall-clock seconds and SQL statements.

    python -m bench.insights [--incidents 1000 10000] [--database-url URL]

Each size runs in a new database: a temporary SQLite file, or a temporary database on the
PostgreSQL server of ``--database-url`` (created and dropped). The workspace holds N incidents
spread over a year (every phase marked, a root cause on most, two action items each, six
services with SLOs) and a second workspace of the same size that must not be read. What is
timed is ``insights_for`` over the default twelve weeks: the queries and the pure figures, as
the insights page asks for them. Statements are counted with a ``before_cursor_execute``
listener: the count must not grow with N.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert

from bot.services.insights import insights_for
from storage.action_models import ActionItem, ServiceSlo
from storage.migrate import upgrade_to_head
from storage.models import Entry, Incident, PhaseMark
from storage.session import make_engine, make_session_factory
from tests.support.databases import temporary_postgres_database

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SERVICES = ("checkout", "payments", "search", "auth", "email", "edge")
CAUSES = ("config", "capacity", "dependency", "deploy", "expiry")


def seed(engine: Engine, incidents: int, team: str, first_id: int) -> None:
    with engine.begin() as connection:
        rows, marks, causes, items = [], [], [], []
        for n in range(incidents):
            incident_id = first_id + n
            detected = NOW - timedelta(minutes=n * 525_600 // max(1, incidents) + 60)
            rows.append(
                {
                    "id": incident_id,
                    "team_id": team,
                    "channel_id": f"C{incident_id}",
                    "title": f"Incident {n}",
                    "severity": f"sev{1 + n % 4}",
                    "status": "resolved",
                    "service": SERVICES[n % len(SERVICES)],
                    "started_by": "U1",
                    "started_at": detected,
                    "resolved_at": detected + timedelta(minutes=30 + n % 90),
                    "closed_at": detected + timedelta(days=1),
                }
            )
            for phase, after in (("detected", 0), ("acknowledged", 2 + n % 10), ("mitigated", 15 + n % 40)):
                marks.append(_mark(incident_id, phase, detected + timedelta(minutes=after)))
            marks.append(_mark(incident_id, "resolved", detected + timedelta(minutes=30 + n % 90)))
            if n % 5:
                text = f"{CAUSES[n % len(CAUSES)]}: what allowed incident {n}"
                causes.append(
                    {"incident_id": incident_id, "kind": "cause", "text": text, "user_id": "U1", "at": detected}
                )
            for k in range(2):
                due = (detected + timedelta(days=7 + k)).date()
                closed = detected + timedelta(days=6 + 3 * k) if n % 3 else None
                items.append(
                    {
                        "team_id": team,
                        "incident_id": incident_id,
                        "owner_id": f"U{n % 40}",
                        "due": due,
                        "text": f"item {k} of incident {n}",
                        "status": "done" if closed else "open",
                        "rollovers": 0,
                        "created_by": "U1",
                        "created_at": detected,
                        "closed_at": closed,
                    }
                )
        connection.execute(insert(Incident), rows)
        connection.execute(insert(PhaseMark), marks)
        connection.execute(insert(Entry), causes)
        connection.execute(insert(ActionItem), items)
        connection.execute(
            insert(ServiceSlo),
            [
                {"team_id": team, "name": name, "target_percent": 99.9, "window_seconds": 28 * 86400, "updated_at": NOW}
                for name in SERVICES
            ],
        )


def _mark(incident_id: int, phase: str, at: datetime) -> dict[str, Any]:
    return {"incident_id": incident_id, "phase": phase, "at": at, "user_id": "U1", "created_at": at}


def measure(url: str, incidents: int) -> tuple[float, int, int]:
    """Seconds (best of three), statements, and the incidents the figures measured."""
    upgrade_to_head(url)
    engine = make_engine(url)
    seed(engine, incidents, "T1", 1)
    seed(engine, incidents, "T2", incidents + 1)
    sessions = make_session_factory(engine)
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    best = float("inf")
    measured = 0
    for _ in range(3):
        statements = 0
        started = time.perf_counter()
        with sessions() as session:
            figures = insights_for(session, "T1", now=NOW)
        best = min(best, time.perf_counter() - started)
        measured = sum(week.incidents for week in figures.by_week)
    engine.dispose()
    return best, statements, measured


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.insights", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--incidents", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server to bench on, in a temporary database (default: a new SQLite file)",
    )
    args = parser.parse_args(argv)
    print(f"{'incidents':>9} {'seconds':>8} {'statements':>10} {'in 12 weeks':>11}")
    for incidents in args.incidents:
        with _database(args.database_url) as url:
            seconds, statements, measured = measure(url, incidents)
        print(f"{incidents:>9} {seconds:>8.3f} {statements:>10} {measured:>11}")


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
