"""How long drafting the postmortem takes, and how much memory, for 1,000 to 100,000 messages.

    python -m bench.draft                                  # SQLite (a temporary file)
    python -m bench.draft --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    TEST_DATABASE_URL=postgresql+psycopg://… python -m bench.draft   # SQLite, then PostgreSQL

What is measured is what `mark resolved` does for the draft: read the record from the database,
build the draft, render the Markdown and the Block Kit message. Each size is measured in a fresh
process (so peak RSS is that draft's, not the seeding's): the best of --repeat runs for the time,
the process's peak resident memory for the memory. On PostgreSQL a temporary database is created
on the server of the URL given and dropped afterwards.

Target (DESIGN.md): 100,000 messages in under 2 s and under 300 MB, growing linearly.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.databases import temporary_postgres_database

DEFAULT_SIZES = (1_000, 10_000, 100_000)
BATCH = 2_000
START = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
TEAM = "T0BENCH"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.draft", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL URL: also bench there (default $TEST_DATABASE_URL)"
    )
    parser.add_argument(
        "--sizes", default=",".join(str(size) for size in DEFAULT_SIZES), help="message counts, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=3, help="drafts per size; the best time is kept")
    parser.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL URL")
    parser.add_argument("--measure", nargs=2, metavar=("URL", "CHANNEL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(*args.measure, repeat=args.repeat)))
        return 0
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    postgres = args.database_url or os.environ.get("TEST_DATABASE_URL")
    print(f"{'database':<11}{'messages':>10}{'seconds':>10}{'peak MB':>10}{'draft MB':>10}{'markdown KB':>13}")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", sizes, args.repeat)
    if postgres:
        with temporary_postgres_database(postgres) as url:
            run("postgresql", url, sizes, args.repeat)
    return 0


def run(label: str, url: str, sizes: list[int], repeat: int) -> None:
    from storage.migrate import upgrade_to_head

    upgrade_to_head(url)
    for size in sizes:
        channel = seed(url, size)
        child = subprocess.run(
            [sys.executable, "-m", "bench.draft", "--measure", url, channel, "--repeat", str(repeat)],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"{label:<11}{size:>10,}{result['seconds']:>10.3f}{result['peak_mb']:>10.1f}"
            f"{result['peak_mb'] - result['baseline_mb']:>10.1f}{result['markdown_bytes'] / 1024:>13,.0f}",
            flush=True,
        )


def seed(url: str, size: int) -> str:
    """An incident of ``size`` messages: threads, edits, deletions, bot alerts and pins among them."""
    from bot.core.message_changes import MessagePost
    from storage import incidents as repo
    from storage import message_store as message_repo
    from storage.session import make_engine, make_session_factory

    channel = f"CBENCH{size}"
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        incident = repo.create_incident(
            session,
            team_id=TEAM,
            channel_id=channel,
            title=f"Bench incident of {size} messages",
            severity="sev1",
            started_by="U1",
            started_at=START,
        )
        assert incident is not None, f"{channel} is seeded already"
        incident_id = incident.id
        repo.remember_workspace(session, team_id=TEAM, name="Bench", url="https://bench.slack.com/", now=START)
        step = timedelta(seconds=max(1, 36_000 // size))  # spread over at most ten hours
        for phase, fraction in (("detected", 0.01), ("acknowledged", 0.05), ("mitigated", 0.6), ("resolved", 0.99)):
            repo.set_phase_mark(
                session,
                incident_id=incident_id,
                phase=phase,
                at=START + step * int(size * fraction),
                note=None,
                user_id="U1",
                now=START,
            )
        for kind, words in (
            ("impact", "12% of checkouts failed"),
            ("cause", "The failover script had no backoff."),
            ("note", "Rolled back"),
        ):
            repo.add_entry(session, incident_id=incident_id, kind=kind, text=words, user_id="U2", at=START + step)
    for first in range(0, size, BATCH):
        posts = []
        for n in range(first, min(size, first + BATCH)):
            at = START + step * n + timedelta(microseconds=n % 1_000_000)
            ts = f"{int(at.timestamp())}.{at.microsecond:06d}"
            bot = n % 50 == 0
            parent = START + step * (n - n % 10)
            posts.append(
                MessagePost(
                    ts=ts,
                    posted_at=at,
                    text=f"message {n}: replica lag on db-{n % 9} is {n % 300}s, checking the failover logs",
                    user=None if bot else f"U{n % 12}",
                    bot_id="B1" if bot else None,
                    bot_name="PagerDuty" if bot else None,
                    thread_ts=f"{int(parent.timestamp())}.{parent.microsecond:06d}" if n % 10 else None,
                    edited_at=at + timedelta(minutes=1) if n % 20 == 3 else None,
                )
            )
        with sessions.begin() as session:
            message_repo.save_posts(
                session, posts, incident_id=incident_id, team_id=TEAM, channel_id=channel, source="live"
            )
    with sessions.begin() as session:
        for n in range(0, size, 200):
            at = START + step * n + timedelta(microseconds=n % 1_000_000)
            message_repo.set_key_mark(
                session,
                team_id=TEAM,
                channel_id=channel,
                ts=f"{int(at.timestamp())}.{at.microsecond:06d}",
                kind="pin",
                user_id="",
                now=START,
            )
    engine.dispose()
    return channel


def measure(url: str, channel: str, *, repeat: int) -> dict[str, float]:
    """In a fresh process: the resolve path's draft work, best time of ``repeat`` runs."""
    from bot.core.postmortem import build_draft
    from bot.services.drafts import PreparedDraft, render
    from bot.services.record_reader import load_record
    from bot.settings import Settings
    from bot.slack.draft_blocks import draft_message
    from storage import incidents as repo
    from storage.session import make_engine, make_session_factory

    settings = Settings(database_url=url)
    sessions = make_session_factory(make_engine(url))
    with sessions() as session:  # connect and warm up the imports before measuring
        incident = repo.find_incident(session, TEAM, channel)
        assert incident is not None
    _reset_peak()
    baseline = _peak_mb()
    best = float("inf")
    size = 0
    for _ in range(repeat):
        began = time.perf_counter()
        with sessions() as session:
            record = load_record(session, repo.find_incident(session, TEAM, channel))  # type: ignore[arg-type]
        draft = build_draft(record, now=START + timedelta(days=1), full=True, version=1)
        markdown, _problem = render(draft, settings)
        draft_message(PreparedDraft(draft, markdown, "bench.md", "resolved", None, None))
        best = min(best, time.perf_counter() - began)
        size = len(markdown.encode())
        del record, draft, markdown
    return {"seconds": best, "peak_mb": _peak_mb(), "baseline_mb": baseline, "markdown_bytes": size}


def _reset_peak() -> None:
    """Forget the peak inherited from the parent at fork (Linux: writing 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


if __name__ == "__main__":
    raise SystemExit(main())
