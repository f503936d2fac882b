"""How long the web pages take to answer: an incident of 100,000 messages, and the list of
10,000 incidents (target: each under 300 ms).

    python -m bench.ui                                  # SQLite (a temporary file)
    python -m bench.ui --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The pages are asked through the same Flask app production mounts under /ui/, by a signed-in
person (a real signed session cookie), in this process: what is measured is the server's
work for one answer (the database reads and the rendering), p50 / p95 / max over --repeat
requests after one warm-up. On PostgreSQL a temporary database is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, timedelta
from pathlib import Path

from bench.draft import START, TEAM, seed
from tests.support.databases import temporary_postgres_database

INCIDENTS = 10_000
MESSAGES = 100_000
BASE = "https://scribe.bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL URL (default $TEST_DATABASE_URL)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    parser.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL URL")
    args = parser.parse_args(argv)
    postgres = args.database_url or os.environ.get("TEST_DATABASE_URL")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", args.repeat)
    if postgres:
        with temporary_postgres_database(postgres) as url:
            run("postgresql", url, args.repeat)
    return 0


def seed_incidents(url: str, count: int) -> None:
    """``count`` more incidents of the workspace, each with its phases, readable by everyone."""
    from sqlalchemy import insert, select

    from storage.access_models import PUBLIC, AccessRefresh, ChannelAccess
    from storage.models import Incident, PhaseMark
    from storage.session import make_engine, make_session_factory

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    services = ("checkout", "search", "payments", "auth", "billing")
    with sessions.begin() as session:
        rows = [
            {
                "team_id": TEAM,
                "channel_id": f"CLIST{n:05d}",
                "title": f"Bench incident {n}: {services[n % 5]} errors",
                "severity": f"sev{1 + n % 4}",
                "status": "resolved" if n % 3 else "active",
                "service": services[n % 5],
                "started_by": "U1",
                "started_at": START - timedelta(hours=n),
                "closed_at": START - timedelta(hours=n) + timedelta(hours=2) if n % 3 == 1 else None,
            }
            for n in range(count)
        ]
        session.execute(insert(Incident), rows)
        ids = session.execute(
            select(Incident.id, Incident.started_at).where(Incident.team_id == TEAM, Incident.channel_id.like("CLIST%"))
        ).all()
        marks = [
            {
                "incident_id": incident_id,
                "phase": phase,
                "at": started + timedelta(minutes=minutes),
                "user_id": "U1",
                "created_at": started,
            }
            for incident_id, started in ids
            for phase, minutes in (("detected", 1), ("acknowledged", 6), ("mitigated", 40), ("resolved", 75))
        ]
        session.execute(insert(PhaseMark), marks)
        channels = session.scalars(select(Incident.channel_id).where(Incident.team_id == TEAM)).all()
        session.execute(
            insert(ChannelAccess), [{"team_id": TEAM, "channel_id": c, "user_id": PUBLIC} for c in channels]
        )
        for who in (PUBLIC, "U1"):
            session.execute(insert(AccessRefresh).values(team_id=TEAM, user_id=who, refreshed_at=START))
    engine.dispose()


def run(label: str, url: str, repeat: int) -> None:
    from sqlalchemy import text
    from werkzeug.test import Client

    from bot.services import web_sessions
    from bot.settings import Settings
    from bot.slack.signin import SlackSignIn
    from bot.ui.app import UiDeps, create_ui
    from storage import channel_access as access_repo
    from storage import incidents as repo
    from storage.migrate import upgrade_to_head
    from storage.session import make_engine, make_session_factory

    upgrade_to_head(url)
    began = time.perf_counter()
    channel = seed(url, MESSAGES)
    seed_incidents(url, INCIDENTS)
    print(
        f"{label}: seeded {MESSAGES:,} messages and {INCIDENTS + 1:,} incidents in {time.perf_counter() - began:.0f} s"
    )
    engine = make_engine(url)
    with engine.connect() as connection:
        # Freshly bulk-loaded tables have no statistics yet; a live database's autovacuum (or
        # SQLite's optimize) has them. Without them PostgreSQL's planner guesses one row per
        # incident and reads the whole record before it sorts (0.5-6 s).
        connection.execute(text("ANALYZE"))
        connection.commit()
    sessions = make_session_factory(engine)
    with sessions() as session:
        big = repo.find_incident(session, TEAM, channel)
        assert big is not None
        big_id = big.id
    settings = Settings(database_url=url, session_secret="bench-session-secret")
    app = create_ui(
        UiDeps(
            settings,
            sessions,
            lambda: START,
            signin=SlackSignIn(client_id="bench", client_secret="bench", api_url="http://127.0.0.1:9/"),
            lists_for=lambda _team: None,
        )
    )
    with sessions.begin() as session:
        access_repo.remember_person(session, team_id=TEAM, user_id="U1", guest=False, deleted=False, now=START)
        token = web_sessions.start(session, team_id=TEAM, user_id="U1", now=START)
    cookie = app.session_interface.get_signing_serializer(app).dumps(  # type: ignore[attr-defined]
        {"sid": token, "name": "Bench"}
    )
    client = Client(app)
    client.set_cookie("scribe_session", cookie, domain="scribe.bench", path="/ui/", secure=True)
    first = client.get(f"/ui/incidents/{big_id}", base_url=BASE).text
    middle = _cursor_after(client, big_id, hops=50)
    pages = {
        "incident of 100,000 messages, first page": f"/ui/incidents/{big_id}",
        "  … page 51 (after=cursor)": f"/ui/incidents/{big_id}?after={middle}",
        "  … key events": f"/ui/incidents/{big_id}?view=key",
        "  … alerts": f"/ui/incidents/{big_id}?view=alerts",
        "list of 10,001 incidents, page 1": "/ui/incidents",
        "  … page 150": "/ui/incidents?page=150",
        "  … search 'payments errors'": "/ui/incidents?q=payments+errors",
        "  … sev2, open": "/ui/incidents?severity=sev2&status=open",
        "follow-up (10,001 incidents)": "/ui/follow-up",
        "insights (10,001 incidents)": "/ui/insights",
    }
    assert "Later messages" in first
    print(f"{'page':<44}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'KB':>7}")
    for name, path in pages.items():
        times, size = [], 0
        for n in range(repeat + 1):
            start = time.perf_counter()
            answer = client.get(path, base_url=BASE)
            body = answer.data
            elapsed = (time.perf_counter() - start) * 1000
            assert answer.status_code == 200, (path, answer.status_code)
            if n:  # the first is a warm-up
                times.append(elapsed)
            size = len(body)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{name:<44}{statistics.median(times):>9.1f}{p95:>9.1f}{times[-1]:>9.1f}{size / 1024:>7.0f}", flush=True)
    engine.dispose()


def _cursor_after(client: object, incident_id: int, *, hops: int) -> str:
    """The ``after`` cursor ``hops`` pages in: the time and ts of the last line before it."""
    from bench.draft import START as first

    del client
    step = timedelta(seconds=max(1, 36_000 // MESSAGES))
    n = hops * 100 * 10  # a page is 100 top-level lines; every tenth message starts one
    at = first + step * n + timedelta(microseconds=n % 1_000_000)
    ts = f"{int(at.timestamp())}.{at.microsecond:06d}"
    return f"{at.astimezone(UTC).isoformat()}~{ts}".replace("+", "%2B")


if __name__ == "__main__":
    raise SystemExit(main())
