"""One status-update reminder pass over N unresolved incidents: seconds and SQL statements.

    python -m bench.reminders [--incidents 100 1000] [--database-url URL]

Each size runs in a new database (a temporary SQLite file, or a temporary database on the
PostgreSQL server of ``--database-url``). Half the incidents are sev1, half sev2, started 45 to
135 minutes before NOW; every third has a status update 20 minutes ago and every fifth a
commander given by hand. The pass is the reminder job's database work: one query for the
incidents with their last update and snooze, one for their roles, then one insert per reminder
due. Delivery to Slack is not timed. A second pass at the same instant (a rerun, or another
clock) queues nothing.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, select

from bench.scheduler import Measured, _database, first_and_rerun
from bot.core.updates import parse_update_every
from bot.services.status_updates import queue_reminders
from bot.slack.running_text import reminder_message
from storage.migrate import upgrade_to_head
from storage.models import Incident
from storage.running_models import IncidentRole, StatusUpdate
from storage.session import make_engine, make_session_factory

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def seed(engine: Engine, incidents: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(Incident),
            [
                {
                    "team_id": "T1",
                    "channel_id": f"C{n}",
                    "title": f"Incident {n}",
                    "severity": "sev1" if n % 2 else "sev2",
                    "status": "active",
                    "started_by": "U1",
                    "started_at": NOW - timedelta(minutes=45 + n % 91),
                }
                for n in range(incidents)
            ],
        )
        ids = list(connection.scalars(select(Incident.id).order_by(Incident.id)))
        connection.execute(
            insert(StatusUpdate),
            [
                {"incident_id": i, "user_id": "U2", "at": NOW - timedelta(minutes=20), "status": "Looking"}
                for n, i in enumerate(ids)
                if n % 3 == 0
            ],
        )
        connection.execute(
            insert(IncidentRole),
            [
                {"incident_id": i, "role": "commander", "user_id": "U3", "assigned_by": "U1", "assigned_at": NOW}
                for n, i in enumerate(ids)
                if n % 5 == 0
            ],
        )


def measure(url: str, incidents: int) -> tuple[Measured, Measured]:
    upgrade_to_head(url)
    engine = make_engine(url)
    seed(engine, incidents)
    sessions = make_session_factory(engine)
    every = parse_update_every(None)
    passes = first_and_rerun(
        engine, incidents, lambda: queue_reminders(sessions, now=NOW, every=every, render=reminder_message)
    )
    engine.dispose()
    return passes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--incidents", type=int, nargs="+", default=[100, 1000])
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server to bench on, in a temporary database (default: a new SQLite file)",
    )
    args = parser.parse_args(argv)
    print(f"{'incidents':>9} {'pass':>6} {'seconds':>8} {'statements':>10} {'queued':>7}")
    for incidents in args.incidents:
        with _database(args.database_url) as url:
            first, rerun = measure(url, incidents)
        for name, result in (("first", first), ("rerun", rerun)):
            print(f"{result.items:>9} {name:>6} {result.seconds:>8.3f} {result.statements:>10} {result.queued:>7}")


if __name__ == "__main__":
    main()
